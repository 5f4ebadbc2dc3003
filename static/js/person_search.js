// The visit record form's person search (visits/forms.py PersonSearchWidget): as the user types,
// ask the scoped search endpoint for at most 20 matches (masked) and offer them in the datalist;
// choosing one puts the person's pk in the hidden input, clearing the box clears it.
(function () {
  document.querySelectorAll("[data-person-search]").forEach(function (box) {
    var hidden = document.getElementById(box.id + "_pk");
    var list = document.getElementById(box.id + "_options");
    var found = {};
    var timer = null;
    function pick() {
      if (found[box.value]) {
        hidden.value = found[box.value];
      } else if (!box.value.trim()) {
        hidden.value = "";
      }
    }
    box.addEventListener("input", function () {
      if (found[box.value]) { pick(); return; }
      hidden.value = "";  // typed text that is not a chosen person means no person
      clearTimeout(timer);
      var q = box.value.trim();
      if (!q) { return; }
      timer = setTimeout(function () {
        fetch(box.dataset.personSearch + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            found = {};
            data.results.forEach(function (p) {
              found[p.label] = p.id;
              var option = document.createElement("option");
              option.value = p.label;
              list.appendChild(option);
            });
            pick();
          });
      }, 250);
    });
    box.addEventListener("change", pick);
  });
})();
