// "＋ 再加一行" of a Django formset: adds an empty row in the page. Without JavaScript the same
// button is a submit that asks the server for the form again with one more row.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) return;
  var prefix = button.getAttribute("data-formset-add");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var template = document.getElementById(prefix + "-empty-form");
  var rows = document.getElementById(prefix + "-rows");
  if (!total || !template || !rows) return;
  event.preventDefault();
  var count = parseInt(total.value, 10);
  if (max && count >= parseInt(max.value, 10)) {
    button.disabled = true;
    button.textContent = "最多 " + max.value + " 行";
    return;
  }
  rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(count)));
  total.value = String(count + 1);
  var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
  if (first) first.focus();
});
