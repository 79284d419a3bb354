// A form with data-confirm asks before it is sent (paying, reversing a payout): a script file
// of our own, since the Content-Security-Policy allows no inline script.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
