// 配合单位 picker (tasks/widgets/grouped_units.html): a search box that narrows the checkboxes,
// and the count of chosen units in the summary. Without JavaScript the grouped checkboxes work alone.
document.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
  var filter = picker.querySelector("[data-unit-filter]");
  var count = picker.querySelector("[data-unit-count]");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var query = filter.value.trim();
      picker.querySelectorAll("[data-unit-name]").forEach(function (option) {
        option.hidden = query !== "" && option.getAttribute("data-unit-name").indexOf(query) === -1;
      });
      picker.querySelectorAll("fieldset").forEach(function (group) {
        group.hidden = !group.querySelector("[data-unit-name]:not([hidden])");
      });
    });
  }
  picker.addEventListener("change", function () {
    if (count) count.textContent = String(picker.querySelectorAll("input[type=checkbox]:checked").length);
  });
});
