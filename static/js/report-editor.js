/* The compte-rendu's rich-text editor: progressive enhancement of a <textarea data-rich-editor>.
 *
 * - A toolbar (bold, italic, intertitle, sub-intertitle, bulleted and numbered lists, link) that
 *   is a WAI-ARIA toolbar: one tab stop, arrow keys between buttons, aria-pressed on toggles.
 * - An editable region labelled by the field's label and described by its help and errors.
 * - Pasting from a word processor (Word, LibreOffice, Google Docs) keeps titles, bold, italic,
 *   lists, links and tables, and drops the rest (styles, classes, Word's list glyphs...).
 * - On submit, the cleaned HTML goes into the textarea, which the server sanitises again with
 *   nh3: the server is the only trust boundary, this cleaning only keeps the text tidy.
 *
 * Without JavaScript nothing happens: the textarea takes simple text. No inline script, no
 * dependency, no build: loaded as a file from static/js/.
 */
(function () {
  "use strict";

  // What the editor keeps: the server's list (workgroups.services.ALLOWED_REPORT_TAGS).
  var KEEP = {
    P: "p", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", U: "u", S: "s",
    STRIKE: "s", DEL: "s", H1: "h3", H2: "h3", H3: "h3", H4: "h4", H5: "h4", H6: "h4",
    UL: "ul", OL: "ol", LI: "li", A: "a", BLOCKQUOTE: "blockquote", TABLE: "table",
    THEAD: "thead", TBODY: "tbody", TR: "tr", TH: "th", TD: "td", HR: "hr", SUP: "sup",
    SUB: "sub"
  };
  // Dropped with everything inside them.
  var DROP = {
    SCRIPT: 1, STYLE: 1, META: 1, LINK: 1, TITLE: 1, HEAD: 1, IFRAME: 1, OBJECT: 1, EMBED: 1,
    SVG: 1, MATH: 1, TEMPLATE: 1, NOSCRIPT: 1, XML: 1, IMG: 1, PICTURE: 1, VIDEO: 1, AUDIO: 1,
    CANVAS: 1, FORM: 1, INPUT: 1, BUTTON: 1, SELECT: 1, TEXTAREA: 1, COLGROUP: 1, COL: 1
  };
  var BLOCKS = { P: 1, H3: 1, H4: 1, UL: 1, OL: 1, BLOCKQUOTE: 1, TABLE: 1, HR: 1 };
  var SAFE_URL = /^(https?:|mailto:)/i;

  function safeHref(value) {
    var href = (value || "").trim();
    if (/^www\./i.test(href)) {
      href = "https://" + href;
    } else if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(href)) {
      href = "mailto:" + href;
    }
    return SAFE_URL.test(href) && !/\s/.test(href) ? href : "";
  }

  function styleOf(node) {
    return (node.getAttribute && node.getAttribute("style") || "").toLowerCase().replace(/\s+/g, "");
  }

  // Formatting that word processors write as styles on <span>s (Google Docs, LibreOffice).
  function inlineFromStyle(node) {
    var style = styleOf(node);
    var tags = [];
    var weight = /font-weight:(bold|bolder|[6-9]00)/.exec(style);
    if (weight) { tags.push("strong"); }
    if (/font-style:italic/.test(style)) { tags.push("em"); }
    if (/text-decoration[^;]*underline/.test(style)) { tags.push("u"); }
    return tags;
  }

  function cleanChildren(source, target) {
    for (var child = source.firstChild; child; child = child.nextSibling) {
      cleanNode(child, target);
    }
  }

  function cleanNode(node, target) {
    if (node.nodeType === 3) {
      target.appendChild(document.createTextNode(node.nodeValue));
      return;
    }
    if (node.nodeType !== 1) {
      return; // comments (Word's conditional ones included), processing instructions
    }
    var name = (node.localName || node.nodeName).toUpperCase();
    if (DROP[name] || /mso-list:ignore/.test(styleOf(node))) {
      return; // Word's "·" or "1." glyph before a list paragraph, hidden parts...
    }
    // Google Docs wraps a whole paste in <b style="font-weight:normal">.
    if (name === "B" && /font-weight:(normal|[1-4]00)/.test(styleOf(node))) {
      cleanChildren(node, target);
      return;
    }
    var tag = KEEP[name];
    if (name === "DIV") {
      // A <div> holding blocks is a wrapper; one holding text is a paragraph.
      var hasBlock = Array.prototype.some.call(node.children, function (c) {
        return /^(P|DIV|H[1-6]|UL|OL|TABLE|BLOCKQUOTE)$/i.test(c.localName || "");
      });
      tag = hasBlock ? null : "p";
    }
    if (!tag) {
      var inner = target;
      inlineFromStyle(node).forEach(function (t) {
        var wrapper = document.createElement(t);
        inner.appendChild(wrapper);
        inner = wrapper;
      });
      cleanChildren(node, inner);
      return;
    }
    var element = document.createElement(tag);
    if (tag === "a") {
      var href = safeHref(node.getAttribute("href"));
      if (!href) {
        cleanChildren(node, target); // a link to nowhere safe: keep its text only
        return;
      }
      element.setAttribute("href", href);
    }
    if (tag === "th" || tag === "td") {
      ["colspan", "rowspan"].forEach(function (attr) {
        var value = node.getAttribute(attr);
        if (value && /^\d{1,2}$/.test(value)) { element.setAttribute(attr, value); }
      });
    }
    if (tag === "p" || tag === "li") {
      // Bold or italic written on the paragraph itself.
      var inner2 = element;
      inlineFromStyle(node).forEach(function (t) {
        var wrapper = document.createElement(t);
        inner2.appendChild(wrapper);
        inner2 = wrapper;
      });
      cleanChildren(node, inner2);
    } else {
      cleanChildren(node, element);
    }
    target.appendChild(element);
  }

  // Inline content left at the top level (the first line typed in an empty region, text
  // pasted between blocks) goes into paragraphs.
  function wrapLoose(container) {
    var paragraph = null;
    Array.prototype.slice.call(container.childNodes).forEach(function (node) {
      var name = node.nodeType === 1 ? node.localName.toUpperCase() : "";
      if (BLOCKS[name]) {
        paragraph = null;
        return;
      }
      if (node.nodeType === 3 && !node.nodeValue.trim() && !paragraph) {
        container.removeChild(node);
        return;
      }
      if (!paragraph) {
        paragraph = document.createElement("p");
        container.insertBefore(paragraph, node);
      }
      paragraph.appendChild(node);
    });
  }

  function isEmpty(element) {
    return !element.textContent.trim() && !element.querySelector("hr");
  }

  function pruneEmpty(container) {
    // Empty formatting and empty blocks, from the inside out (but keep <br> inside text).
    var nodes = container.querySelectorAll("strong, em, u, s, sup, sub, a, p, h3, h4, li, ul, ol, blockquote");
    for (var i = nodes.length - 1; i >= 0; i -= 1) {
      if (isEmpty(nodes[i])) { nodes[i].parentNode.removeChild(nodes[i]); }
    }
  }

  // HTML (or plain text) in, tidy HTML out. The parsing happens in an inert document: nothing
  // it contains runs or loads.
  function clean(html) {
    // A word processor's style sheet says nothing the cleaning reads (it reads each element's
    // own style attribute), and parsing it would trip the page's Content-Security-Policy.
    var sheetless = (html || "").replace(/<style\b[\s\S]*?<\/style\s*>/gi, "");
    var parsed = new DOMParser().parseFromString(sheetless, "text/html");
    var container = document.createElement("div");
    cleanChildren(parsed.body, container);
    wrapLoose(container);
    pruneEmpty(container);
    return container.innerHTML;
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // The server's plain-text rules (workgroups.services.text_to_html), for a report typed
  // without the toolbar.
  function textToHtml(text) {
    return text.trim().split(/\n\s*\n/).map(function (block) {
      var lines = block.split("\n").map(function (l) { return l.replace(/\s+$/, ""); })
        .filter(function (l) { return l.trim(); });
      if (!lines.length) { return ""; }
      if (lines.every(function (l) { return /^\s*[-*•] /.test(l); })) {
        return "<ul>" + lines.map(function (l) {
          return "<li>" + escapeText(l.trim().slice(2).trim()) + "</li>";
        }).join("") + "</ul>";
      }
      if (lines.length === 1 && lines[0].indexOf("## ") === 0) {
        return "<h3>" + escapeText(lines[0].slice(3).trim()) + "</h3>";
      }
      return "<p>" + lines.map(escapeText).join("<br>") + "</p>";
    }).join("");
  }

  function labels() {
    var found = {};
    var template = document.getElementById("report-editor-labels");
    if (template) {
      Array.prototype.forEach.call(template.content.querySelectorAll("[data-key]"), function (el) {
        found[el.getAttribute("data-key")] = el.textContent.trim();
      });
    }
    return found;
  }

  function enhance(textarea) {
    var text = labels();
    var id = textarea.id || "rich-editor";
    var label = document.querySelector('label[for="' + id + '"]');
    if (label && !label.id) { label.id = id + "_label"; }

    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor";

    var keysHelp = document.createElement("p");
    keysHelp.className = "helptext";
    keysHelp.id = id + "_keys";
    keysHelp.textContent = text.keys || "";

    var area = document.createElement("div");
    area.className = "rich-editor__area";
    area.id = id + "_editor";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("spellcheck", "true");
    if (label) { area.setAttribute("aria-labelledby", label.id); }
    var described = (textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(keysHelp.id);
    area.setAttribute("aria-describedby", described.join(" "));
    if (textarea.getAttribute("aria-invalid")) {
      area.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));
    }
    var initial = textarea.value;
    area.innerHTML = clean(/<[a-z][^>]*>/i.test(initial) ? initial : textToHtml(initial)) || "<p><br></p>";

    // --- the toolbar ------------------------------------------------------------------------
    var toolbar = document.createElement("div");
    toolbar.className = "rich-editor__toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", text.toolbar || "");
    toolbar.setAttribute("aria-controls", area.id);

    var savedRange = null;
    function saveSelection() {
      var selection = window.getSelection();
      if (selection.rangeCount && area.contains(selection.getRangeAt(0).commonAncestorContainer)) {
        savedRange = selection.getRangeAt(0).cloneRange();
      }
    }
    function restoreSelection() {
      var selection = window.getSelection();
      if (
        document.activeElement === area && selection.rangeCount &&
        area.contains(selection.getRangeAt(0).commonAncestorContainer)
      ) {
        return; // the caret is in the text already (a click on the toolbar)
      }
      area.focus();
      if (savedRange) {
        selection.removeAllRanges();
        selection.addRange(savedRange);
      }
    }
    function currentBlock() {
      var selection = window.getSelection();
      var node = selection.rangeCount ? selection.getRangeAt(0).startContainer : null;
      while (node && node !== area) {
        if (node.nodeType === 1 && /^(P|H3|H4|LI|BLOCKQUOTE|TD|TH)$/.test(node.nodeName)) {
          return node;
        }
        node = node.parentNode;
      }
      return null;
    }
    function currentLink() {
      var selection = window.getSelection();
      var node = selection.rangeCount ? selection.getRangeAt(0).startContainer : null;
      while (node && node !== area) {
        if (node.nodeName === "A") { return node; }
        node = node.parentNode;
      }
      return null;
    }
    function exec(command, value) {
      document.execCommand(command, false, value === undefined ? null : value);
    }
    function toggleHeading(level) {
      var block = currentBlock();
      exec("formatBlock", block && block.nodeName === level.toUpperCase() ? "p" : level);
    }

    var buttons = [];
    function addButton(key, action, pressed) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rich-editor__button rich-editor__button--" + key;
      button.textContent = text[key] || key;
      button.tabIndex = buttons.length ? -1 : 0;
      if (pressed) { button.setAttribute("aria-pressed", "false"); }
      button.pressed = pressed;
      // A click keeps the caret in the text (the button does not take the focus from it).
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        restoreSelection();
        action();
        saveSelection();
        updateState();
      });
      toolbar.appendChild(button);
      buttons.push(button);
      return button;
    }
    addButton("bold", function () { exec("bold"); }, function () { return document.queryCommandState("bold"); });
    addButton("italic", function () { exec("italic"); }, function () { return document.queryCommandState("italic"); });
    addButton("h3", function () { toggleHeading("h3"); }, function () { var b = currentBlock(); return !!b && b.nodeName === "H3"; });
    addButton("h4", function () { toggleHeading("h4"); }, function () { var b = currentBlock(); return !!b && b.nodeName === "H4"; });
    addButton("ul", function () { exec("insertUnorderedList"); }, function () { return document.queryCommandState("insertUnorderedList"); });
    addButton("ol", function () { exec("insertOrderedList"); }, function () { return document.queryCommandState("insertOrderedList"); });
    var linkButton = addButton("link", function () { openLinkPanel(); }, function () { return !!currentLink(); });

    // Roving tab stop: Tab reaches the toolbar once, the arrows move inside it.
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") { next = (index + 1) % buttons.length; }
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") { next = (index - 1 + buttons.length) % buttons.length; }
      if (event.key === "Home") { next = 0; }
      if (event.key === "End") { next = buttons.length - 1; }
      if (event.key === "Escape") { event.preventDefault(); restoreSelection(); return; }
      if (next === null) { return; }
      event.preventDefault();
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });

    function updateState() {
      buttons.forEach(function (button) {
        if (button.pressed) {
          var on = false;
          try { on = !!button.pressed(); } catch (e) { on = false; }
          button.setAttribute("aria-pressed", on ? "true" : "false");
        }
      });
    }

    // --- the link panel ---------------------------------------------------------------------
    var panel = document.createElement("div");
    panel.className = "rich-editor__link";
    panel.hidden = true;
    var panelLabel = document.createElement("label");
    panelLabel.setAttribute("for", id + "_link");
    panelLabel.textContent = text.linkLabel || "";
    var input = document.createElement("input");
    input.type = "text";
    input.inputMode = "url";
    input.id = id + "_link";
    input.autocomplete = "url";
    var error = document.createElement("p");
    error.className = "rich-editor__error";
    error.id = id + "_link_error";
    error.setAttribute("role", "alert");
    var apply = document.createElement("button");
    apply.type = "button";
    apply.className = "button button--secondary";
    apply.textContent = text.linkApply || "";
    var unlink = document.createElement("button");
    unlink.type = "button";
    unlink.className = "button--link";
    unlink.textContent = text.unlink || "";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button--link";
    cancel.textContent = text.linkCancel || "";
    [panelLabel, input, apply, unlink, cancel, error].forEach(function (el) { panel.appendChild(el); });

    function closeLinkPanel(focusText) {
      panel.hidden = true;
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (focusText) { restoreSelection(); } else { linkButton.focus(); }
    }
    function openLinkPanel() {
      saveSelection();
      var link = currentLink();
      input.value = link ? link.getAttribute("href") : "";
      unlink.hidden = !link;
      panel.hidden = false;
      input.focus();
    }
    function applyLink() {
      var href = safeHref(input.value);
      if (!href) {
        error.textContent = text.linkInvalid || "";
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", error.id);
        input.focus();
        return;
      }
      restoreSelection();
      var link = currentLink();
      var selection = window.getSelection();
      if (link) {
        link.setAttribute("href", href);
      } else if (selection.rangeCount && !selection.getRangeAt(0).collapsed) {
        exec("createLink", href);
      } else {
        // No text selected: the address itself becomes the link's text.
        var a = document.createElement("a");
        a.setAttribute("href", href);
        a.textContent = href.replace(/^mailto:/i, "");
        exec("insertHTML", a.outerHTML);
      }
      saveSelection();
      closeLinkPanel(true);
      updateState();
    }
    apply.addEventListener("click", applyLink);
    unlink.addEventListener("click", function () {
      restoreSelection();
      var link = currentLink();
      if (link) {
        var range = document.createRange();
        range.selectNodeContents(link);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        exec("unlink");
      }
      saveSelection();
      closeLinkPanel(true);
      updateState();
    });
    cancel.addEventListener("click", function () { closeLinkPanel(true); });
    input.addEventListener("keydown", function (event) {
      // Enter here must not submit the whole form.
      if (event.key === "Enter") { event.preventDefault(); applyLink(); }
      if (event.key === "Escape") { event.preventDefault(); closeLinkPanel(true); }
    });

    // --- the text ---------------------------------------------------------------------------
    area.addEventListener("keydown", function (event) {
      var mod = event.ctrlKey || event.metaKey;
      if (mod && (event.key === "k" || event.key === "K")) {
        event.preventDefault();
        openLinkPanel();
      } else if (event.altKey && event.key === "F10") {
        event.preventDefault();
        saveSelection();
        (buttons.filter(function (b) { return b.tabIndex === 0; })[0] || buttons[0]).focus();
      }
    });
    area.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data) { return; }
      event.preventDefault();
      var html = data.getData("text/html");
      var cleaned = html ? clean(html) : textToHtml(data.getData("text/plain") || "");
      if (cleaned) { exec("insertHTML", cleaned); }
    });
    area.addEventListener("drop", function (event) {
      // Dropped content is pasted content: the same cleaning (dropping a file does nothing).
      var data = event.dataTransfer;
      if (!data) { return; }
      event.preventDefault();
      var html = data.getData("text/html");
      var cleaned = html ? clean(html) : textToHtml(data.getData("text/plain") || "");
      if (cleaned) { exec("insertHTML", cleaned); }
    });
    area.addEventListener("blur", saveSelection);
    document.addEventListener("selectionchange", function () {
      if (document.activeElement === area) {
        saveSelection();
        updateState();
      }
    });
    if (label) {
      label.addEventListener("click", function (event) {
        event.preventDefault();
        area.focus();
      });
    }

    textarea.form.addEventListener("submit", function () {
      var html = clean(area.innerHTML);
      var probe = document.createElement("div");
      probe.innerHTML = html;
      textarea.value = isEmpty(probe) ? "" : html;
    });

    wrapper.appendChild(toolbar);
    wrapper.appendChild(panel);
    wrapper.appendChild(area);
    wrapper.appendChild(keysHelp);
    textarea.parentNode.insertBefore(wrapper, textarea);
    // Only now that the editor stands: a failure above leaves the plain textarea working.
    textarea.hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll("[data-editor-fallback]"), function (el) {
      el.hidden = true;
    });
    try {
      document.execCommand("defaultParagraphSeparator", false, "p");
      document.execCommand("styleWithCSS", false, false);
    } catch (e) { /* older browsers: <div> paragraphs, cleaned into <p> on submit */ }
    updateState();
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-editor]"), enhance);
})();
