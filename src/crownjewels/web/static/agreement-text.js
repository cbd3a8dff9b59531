// Clicking a requirement scrolls its evidence into view inside the text box and marks it.
document.querySelectorAll("a.evidence-link").forEach(function (link) {
  link.addEventListener("click", function (event) {
    var mark = document.getElementById(link.dataset.mark);
    if (!mark) { return; }
    event.preventDefault();
    document.querySelectorAll(".agreement-text mark.current").forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    mark.scrollIntoView({block: "center"});
    history.replaceState(null, "", "#" + link.dataset.mark);
  });
});
