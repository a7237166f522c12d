/* Photo uploads with previews (web/upload_field.html).

   How to use it on a page:
     1. The form has enctype="multipart/form-data"; its field is a file field whose widget
        allows several files (web.forms.PhotosField, or any <input type=file multiple>).
     2. Draw it with the partial:
          {% include "web/upload_field.html" with field=form.photos max=9 hint=_("…") %}
     3. Load this file and upload.css in the page's head:
          {% include "web/upload_assets.html" %}

   Choosing files shows each as a thumbnail (URL.createObjectURL, nothing is sent before the
   form is) with a remove button; choosing again adds to the photos already picked, up to
   data-max. The input's file list is rebuilt with a DataTransfer so what is sent is what is
   shown. A browser without DataTransfer keeps only the last choice and shows no remove buttons.
   Listeners sit on the document, so a field swapped in by htmx works too. */
(function () {
  "use strict";

  var picked = new WeakMap(); // input → the File objects shown
  var canRebuild = (function () {
    try {
      return typeof DataTransfer === "function" && new DataTransfer().items !== undefined;
    } catch (e) {
      return false;
    }
  })();

  function fieldOf(node) {
    return node.closest("[data-upload]");
  }

  function inputOf(field) {
    return field.querySelector("input[type=file]");
  }

  function setFiles(input, files) {
    if (!canRebuild) {
      return;
    }
    var transfer = new DataTransfer();
    files.forEach(function (file) {
      transfer.items.add(file);
    });
    input.files = transfer.files;
  }

  function draw(field) {
    var input = inputOf(field);
    var grid = field.querySelector("[data-upload-grid]");
    var add = field.querySelector("[data-upload-add]");
    var max = parseInt(field.getAttribute("data-max") || "9", 10);
    var files = picked.get(input) || [];
    grid.querySelectorAll(".photo-cell").forEach(function (cell) {
      var img = cell.querySelector("img");
      if (img) {
        URL.revokeObjectURL(img.src);
      }
      cell.remove();
    });
    files.forEach(function (file, index) {
      var cell = document.createElement("figure");
      cell.className = "photo-cell";
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      cell.appendChild(img);
      if (canRebuild) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "photo-remove";
        remove.setAttribute("data-upload-remove", String(index));
        remove.setAttribute("aria-label", field.getAttribute("data-remove-label") + " " + file.name);
        remove.textContent = "×";
        cell.appendChild(remove);
      }
      grid.insertBefore(cell, add);
    });
    add.hidden = files.length >= max;
    var count = field.querySelector("[data-upload-count]");
    if (count) {
      count.textContent = files.length + "/" + max;
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") {
      return;
    }
    var field = fieldOf(input);
    if (!field) {
      return;
    }
    var max = parseInt(field.getAttribute("data-max") || "9", 10);
    var chosen = Array.prototype.slice.call(input.files || []);
    var files = canRebuild ? (picked.get(input) || []).concat(chosen) : chosen;
    var note = field.querySelector("[data-upload-note]");
    note.textContent = files.length > max ? field.getAttribute("data-too-many") : "";
    files = files.slice(0, max);
    picked.set(input, files);
    setFiles(input, files);
    draw(field);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var remove = target.closest("[data-upload-remove]");
    if (!remove) {
      return;
    }
    var field = fieldOf(remove);
    var input = inputOf(field);
    var files = (picked.get(input) || []).slice();
    files.splice(parseInt(remove.getAttribute("data-upload-remove"), 10), 1);
    picked.set(input, files);
    setFiles(input, files);
    field.querySelector("[data-upload-note]").textContent = "";
    draw(field);
    input.focus();
  });
})();
