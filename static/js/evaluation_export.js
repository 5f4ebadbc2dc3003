// 迎检资料 .zip: downloaded with a progress bar (bytes received against the expected size), then saved.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-zip-download]");
  if (!link || !window.fetch || !window.ReadableStream) return;
  event.preventDefault();
  var bar = document.querySelector("[data-zip-progress]");
  var status = document.querySelector("[data-zip-status]");
  var expected = parseInt(link.getAttribute("data-expected-bytes"), 10) || 0;
  bar.classList.remove("d-none");
  var inner = bar.querySelector(".progress-bar");
  var received = 0;
  var chunks = [];
  var name = "迎检资料.zip";
  fetch(link.href, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) throw new Error(response.status);
    var match = /filename\*=utf-8''([^;]+)/i.exec(response.headers.get("Content-Disposition") || "");
    if (match) name = decodeURIComponent(match[1]);
    expected = parseInt(response.headers.get("X-Expected-Bytes"), 10) || expected;
    var reader = response.body.getReader();
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) return;
        chunks.push(step.value);
        received += step.value.length;
        var pct = expected ? Math.min(99, Math.round(received * 100 / expected)) : 50;
        inner.style.width = pct + "%";
        status.textContent = "正在打包下载：已接收 " + (received / 1048576).toFixed(1) + " MB";
        return pump();
      });
    }
    return pump();
  }).then(function () {
    inner.style.width = "100%";
    status.textContent = "已完成（" + (received / 1048576).toFixed(1) + " MB）";
    var url = URL.createObjectURL(new Blob(chunks, { type: "application/zip" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }).catch(function () {
    status.textContent = "下载失败，请重试。";
  });
});
