// Shows a progress overlay while a slow form (import, export) is being processed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-slow]")) return;
  var overlay = document.getElementById("sy-progress");
  if (!overlay) {
    overlay = document.createElement("div");
    overlay.id = "sy-progress";
    overlay.className = "sy-progress-overlay";
    overlay.innerHTML = '<div class="spinner-border text-danger" role="status"></div><div>' +
      (form.getAttribute("data-slow") || "正在处理，请稍候……") + "</div>";
    document.body.appendChild(overlay);
  }
  overlay.classList.add("show");
});

// Forms that ask first (data-confirm): the Content-Security-Policy allows no inline onsubmit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
