// Pickers that search and follow each other (a script file of our own: the Content-Security-Policy
// allows no inline script). Without it the form still works: every option shows, the server checks.
//   <input data-search-for="ID">          hides the options of <select id="ID">, or the items of
//                                         <ul id="ID"> (a list of checkboxes), not matching the text
//   <li data-parent="PID"> in [data-children-of="ID"]  shown only while <select id="ID"> has PID chosen
(function () {
  function norm(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function search(input) {
    var target = document.getElementById(input.getAttribute("data-search-for"));
    if (!target) return;
    var wanted = norm(input.value.trim());
    var items = target.tagName === "SELECT" ? target.options : target.querySelectorAll("li");
    Array.prototype.forEach.call(items, function (item) {
      var label = item.tagName === "OPTION" ? item.text : item.textContent;
      item.hidden = item.value !== "" && wanted !== "" && norm(label).indexOf(wanted) === -1;
    });
  }
  function follow(list) {
    var select = document.getElementById(list.getAttribute("data-children-of"));
    if (!select) return;
    var any = false;
    list.querySelectorAll("[data-parent]").forEach(function (item) {
      var mine = item.getAttribute("data-parent") === select.value;
      item.hidden = !mine;
      if (!mine) item.querySelectorAll("input").forEach(function (box) { box.checked = false; });
      any = any || mine;
    });
    var none = list.querySelector("[data-no-children]");
    if (none) none.hidden = any;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-search-for]").forEach(function (input) {
      input.addEventListener("input", function () { search(input); });
    });
    document.querySelectorAll("[data-children-of]").forEach(function (list) {
      var select = document.getElementById(list.getAttribute("data-children-of"));
      if (select) select.addEventListener("change", function () { follow(list); });
      follow(list);
    });
  });
})();
