/*
 * Searchable pickers (cls_platform/widgets.py): the text input becomes an ARIA 1.2 combobox
 * over a listbox, filled from the territory's JSON search (partners/search.py) as one types.
 *
 * Keyboard: Down/Up move through the matches (Down opens the list), Enter takes the active
 * match, Escape closes the list (a second Escape clears the field). A polite live region says
 * how many matches came back. The chosen id goes in the hidden input beside the field; typing
 * again empties it, and the server then resolves the text itself, as it does without script.
 *
 * A picker whose input names a list of boxes (data-picker-into: its id; data-picker-into-name:
 * the boxes' field) puts each person chosen in that list, ticked, and empties itself for the
 * next one (a group's pilots, a fiche-action's co-pilots).
 */
(function () {
  "use strict";

  var DELAY_MS = 200;

  function labels() {
    var found = {};
    var template = document.getElementById("picker-labels");
    if (!template) {
      return found;
    }
    template.content.querySelectorAll("[data-key]").forEach(function (node) {
      found[node.getAttribute("data-key")] = node.textContent.trim();
    });
    return found;
  }

  function labelText(input) {
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    return label ? label.textContent.trim() : "";
  }

  function setUp(root, words, index) {
    var input = root.querySelector('input[type="text"]');
    var hidden = root.querySelector("[data-picker-value]");
    var url = root.getAttribute("data-picker-url");
    if (!input || !hidden || !url) {
      return;
    }
    var base = input.id || "picker-" + index;
    var list = document.createElement("ul");
    list.id = base + "-liste";
    list.className = "picker__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", labelText(input));
    list.hidden = true;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    root.appendChild(list);
    root.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) {
      status.textContent = text;
    }

    function open() {
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      var options = list.querySelectorAll('[role="option"]');
      if (!options.length) {
        return;
      }
      active = (position + options.length) % options.length;
      options.forEach(function (option, n) {
        option.setAttribute("aria-selected", n === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(position) {
      var picked = results[position];
      if (!picked) {
        return;
      }
      close();
      if (gather(picked)) {
        return;
      }
      input.value = picked.label;
      hidden.value = String(picked.id);
      say("");
    }

    // A picker that fills a list of boxes (a group's pilots, a fiche's co-pilots): the person
    // chosen joins the list, ticked, and the field empties for the next one.
    function gather(picked) {
      var into = input.getAttribute("data-picker-into");
      var name = input.getAttribute("data-picker-into-name");
      var boxes = into ? document.getElementById(into) : null;
      if (!boxes || !name) {
        return false;
      }
      var box = null;
      boxes.querySelectorAll('input[type="checkbox"]').forEach(function (candidate) {
        if (candidate.value === String(picked.id)) {
          box = candidate;
        }
      });
      if (!box) {
        var n = boxes.querySelectorAll('input[type="checkbox"]').length;
        while (document.getElementById(into + "_" + n)) {
          n += 1;
        }
        box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = String(picked.id);
        box.id = into + "_" + n;
        var label = document.createElement("label");
        label.htmlFor = box.id;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + picked.label));
        var row = document.createElement("div");
        row.appendChild(label);
        boxes.appendChild(row);
      }
      box.checked = true;
      input.value = "";
      hidden.value = "";
      results = []; // an empty field offers nothing until one types again
      list.textContent = "";
      say((input.getAttribute("data-picker-added") || "").replace("{label}", picked.label));
      return true;
    }

    function show(data) {
      results = data.results || [];
      list.textContent = "";
      results.forEach(function (item, n) {
        var option = document.createElement("li");
        option.id = base + "-choix-" + n;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // the input keeps the focus
        });
        option.addEventListener("click", function () {
          choose(n);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      open();
      var n = results.length;
      if (!n) {
        say(words.none || "");
      } else if (data.more) {
        say((words.more || "").replace("{n}", n));
      } else if (n === 1) {
        say(words.one || "");
      } else {
        say((words.many || "").replace("{n}", n));
      }
    }

    function search() {
      var text = input.value.trim();
      var ticket = ++asked;
      if (!text) {
        results = [];
        list.textContent = "";
        close();
        say("");
        return;
      }
      var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (ticket === asked) {
            show(data);
          }
        })
        .catch(function () {
          if (ticket === asked) {
            results = [];
            close();
            say(words.error || "");
          }
        });
    }

    input.addEventListener("input", function () {
      hidden.value = ""; // what is typed now is resolved by the server, unless chosen again
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          if (results.length) {
            open();
          } else {
            search();
            return;
          }
        }
        if (event.key === "ArrowUp" && active < 0) {
          highlight(results.length - 1);
        } else {
          highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // takes the match; a second Enter sends the form
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          hidden.value = "";
          say("");
        }
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function start() {
    var words = labels();
    // What a form offers only without the script ("Ajouter un autre pilote": the script puts
    // each person chosen in the list at once).
    document.querySelectorAll("[data-picker-without-script]").forEach(function (node) {
      node.hidden = true;
    });
    document.querySelectorAll("[data-picker]").forEach(function (root, index) {
      setUp(root, words, index);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
