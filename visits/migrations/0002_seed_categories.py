from django.db import migrations

CATEGORIES = [
    ("烈属", "entitled"),
    ("因公牺牲军人遗属", "entitled"),
    ("病故军人遗属", "entitled"),
    ("残疾军人", "entitled"),
    ("在乡老复员军人", "entitled"),
    ("带病回乡退伍军人", "entitled"),
    ("参战参试退役军人", "entitled"),
    ("抗战老战士", "entitled"),
    ("抗美援朝老战士", "entitled"),
    ("困难退役军人", "hardship"),
    ("现役军人家属", "hardship"),
    ("边海防官兵家属", "border"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("visits", "BeneficiaryCategory")
    for order, (name, row) in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"table_row": row, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
