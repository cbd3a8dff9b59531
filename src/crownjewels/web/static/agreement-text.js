// Clicking a requirement scrolls its evidence into view inside the text box and marks it. So
// does an address naming a piece of evidence (/agreements/AG-0001#ev-3, a link a colleague
// sent), and so does a click made before this deferred script ran: the browser then only set
// the address, which is read below.
(function () {
  function show(id) {
    var mark = id ? document.getElementById(id) : null;
    if (!mark || !mark.closest(".agreement-text")) { return false; }
    document.querySelectorAll(".agreement-text mark.current").forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    mark.scrollIntoView({block: "center"});
    return true;
  }
  document.querySelectorAll("a.evidence-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (show(link.dataset.mark)) {
        event.preventDefault();
        history.replaceState(null, "", "#" + link.dataset.mark);
      }
    });
  });
  window.addEventListener("hashchange", function () { show(location.hash.slice(1)); });
  show(location.hash.slice(1));
})();
