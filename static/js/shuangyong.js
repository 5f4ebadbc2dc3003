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
