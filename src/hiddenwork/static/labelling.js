// Front end of hiddenwork.labelling.LabellingWidget: an anywidget ES module, no build step.
//
// Python owns the state (see labelling.py). This module builds the DOM once per view, redraws
// a few text nodes and attributes when the `view` trait changes, and sends clicks and key
// presses back as custom messages:
//   {type: "ready"}                                     once per view, after it is drawn
//   {type: "key", key: "3", token}                      a shortcut key (lower case)
//   {type: "action", action: "answer", label: 2, token} a click (label = button index)
//   {type: "action", action: "skip" | "undo", token}
// `token` is the state version the person was looking at: Python ignores a press that arrives
// after the item changed, so an item is never labelled unseen.
//
// Stable hooks for browser tests: data-testid on every part; on the root, data-token (state
// version shown), data-ack (replies received) and data-state (ready | busy | finished | retired).

const DIGIT_CODE = /^(?:Digit|Numpad)([0-9])$/;
const BUSY_TIMEOUT_MS = 4000;

function make(doc, tag, attributes = {}, text = null) {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, String(value));
  }
  if (text !== null) node.textContent = text;
  return node;
}

/**
 * The shortcut a keydown event stands for (one of `known`), or null.
 * Keys with Ctrl, Alt or Meta, key repeats and IME composition are left to the page. On layouts
 * where digits need Shift (AZERTY), the physical digit keys count as digits.
 */
export function shortcutOf(event, known) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.repeat) {
    return null;
  }
  const typed = typeof event.key === "string" ? event.key : "";
  const key = typed.length === 1 ? typed.toLowerCase() : "";
  if (known.has(key)) return key;
  const match = DIGIT_CODE.exec(event.code || "");
  if (match && known.has(match[1])) return match[1];
  return null;
}

const PLAIN_NAMED_KEYS = new Set([
  "Enter",
  "Backspace",
  "Delete",
  "ArrowUp",
  "ArrowDown",
  "ArrowLeft",
  "ArrowRight",
]);

/**
 * Whether a keydown is a plain key that JupyterLab's command mode would take as a notebook
 * shortcut: a character or an editing/arrow key, without Ctrl, Alt or Meta. Tab and Escape
 * (focus moves), Shift+Enter (run the cell) and function keys are not.
 */
export function isPlainKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const key = typeof event.key === "string" ? event.key : "";
  if (key === "Enter" && event.shiftKey) return false;
  return key.length === 1 || PLAIN_NAMED_KEYS.has(key);
}

function render({ model, el }) {
  const doc = el.ownerDocument;
  const uid = `hw-lab-${Math.random().toString(36).slice(2, 10)}`;
  const buttons = model.get("buttons") || [];
  const isImage = model.get("item_kind") === "image";
  const title = model.get("title");
  const known = new Set(["s", "u"]);
  for (const b of buttons) if (b.key) known.add(b.key);

  // ---- DOM, built once ----
  const root = make(doc, "div", {
    class: "hw-lab",
    role: "group",
    tabindex: "0",
    "aria-label": title,
    "aria-describedby": `${uid}-help`,
    "data-testid": "hw-labelling",
  });
  // The title is the group's accessible name already: hide the visible copy from screen readers.
  const heading = make(doc, "div", { class: "hw-lab-title", "aria-hidden": "true" }, title);
  const header = make(doc, "div", { class: "hw-lab-header" });
  const position = make(doc, "span", { class: "hw-lab-position", "data-testid": "hw-position" });
  const progress = make(doc, "progress", {
    class: "hw-lab-progress",
    max: "1",
    value: "0",
    "aria-label": "Items done",
    "data-testid": "hw-progress",
  });
  const count = make(doc, "span", { class: "hw-lab-count", "data-testid": "hw-count" });
  header.append(position, progress, count);

  const item = make(doc, "div", { class: "hw-lab-item", "data-testid": "hw-item" });
  const text = make(doc, "p", { class: "hw-lab-text", "data-testid": "hw-item-text" });
  const image = make(doc, "img", {
    class: "hw-lab-image",
    alt: "",
    "data-testid": "hw-item-image",
  });
  const message = make(doc, "p", { class: "hw-lab-message", "data-testid": "hw-message" });
  item.append(isImage ? image : text, message);

  const choices = make(doc, "div", {
    class: "hw-lab-buttons",
    role: "group",
    "aria-label": "Labels",
  });
  function button(key, name, testid, extraClass) {
    const node = make(doc, "button", {
      type: "button",
      class: `hw-lab-button ${extraClass}`,
      "aria-keyshortcuts": key,
      "data-key": key,
      "data-testid": testid,
    });
    // The space keeps the accessible name readable: "1 housing", not "1housing".
    const kbd = make(doc, "kbd", { class: "hw-lab-key" }, key);
    node.append(kbd, make(doc, "span", { class: "hw-lab-name" }, ` ${name}`));
    return node;
  }
  const labelButtons = buttons.map((b) => {
    const node = button(b.key, b.label, `hw-label-${b.index}`, "hw-lab-label");
    node.addEventListener("click", () => act({ type: "action", action: "answer", label: b.index }));
    return node;
  });
  choices.append(...labelButtons);
  const actions = make(doc, "div", {
    class: "hw-lab-actions",
    role: "group",
    "aria-label": "Other actions",
  });
  const skip = button("s", "Skip", "hw-skip", "hw-lab-skip");
  const undo = button("u", "Undo", "hw-undo", "hw-lab-undo");
  skip.addEventListener("click", () => act({ type: "action", action: "skip" }));
  undo.addEventListener("click", () => act({ type: "action", action: "undo" }));
  actions.append(skip, undo);

  const status = make(doc, "p", {
    class: "hw-lab-status",
    role: "status",
    "aria-live": "polite",
    "data-testid": "hw-status",
  });
  const help = make(
    doc,
    "p",
    { class: "hw-lab-help", id: `${uid}-help`, "data-testid": "hw-help" },
    model.get("help_text"),
  );
  root.append(heading, header, item, choices, actions, status, help);
  el.append(root);

  // ---- behaviour ----
  let busy = false;
  let timer = null;

  const stateOf = (v) => (v.retired ? "retired" : v.finished ? "finished" : "ready");

  function setBusy(value) {
    busy = value;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (value) {
      root.setAttribute("aria-busy", "true");
      root.dataset.state = "busy";
    } else {
      root.removeAttribute("aria-busy");
    }
  }

  function act(message) {
    const view = model.get("view") || {};
    if (busy || view.retired) return;
    setBusy(true);
    timer = setTimeout(() => {
      setBusy(false);
      root.dataset.state = stateOf(model.get("view") || {});
      status.textContent =
        "No reply from Python yet: the kernel may be busy or stopped. " +
        "An answer counts only once the next item appears.";
    }, BUSY_TIMEOUT_MS);
    model.send({ ...message, token: view.token });
  }

  // Listen on the window in the capture phase: it runs before JupyterLab's own key handling
  // (document level, capture or bubble phase depending on the app), so a shortcut of ours
  // never also reaches the notebook (where "1" would turn the cell into a heading). Keys
  // pressed outside this widget are left alone; for other keys pressed inside, see below.
  const win = doc.defaultView || globalThis;
  let unguard = null;
  function onKeydown(event) {
    if (!root.contains(event.target)) return;
    const key = shortcutOf(event, known);
    if (key === null) {
      if (isPlainKey(event)) guardFromShortcuts();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    act({ type: "key", key });
  }

  // Other plain keys pressed in the widget (a typo, a held key, Enter or Space on a button)
  // must not act on the notebook either: in JupyterLab's command mode x cuts the cell that
  // holds the widget, m makes it Markdown, d d deletes it, arrows and Enter move the focus.
  // Lumino, the toolkit of JupyterLab and Notebook 7, matches no shortcut for an event from
  // inside an element marked data-lm-suppress-shortcuts; the mark is set for this one event
  // only (removed in the next task, after the event has been dispatched), so Ctrl+S,
  // Shift+Enter and the like keep working. The key's default action (Enter or Space pressing
  // the focused button) still happens and the event still propagates.
  function guardFromShortcuts() {
    root.setAttribute("data-lm-suppress-shortcuts", "true");
    if (unguard !== null) clearTimeout(unguard);
    unguard = setTimeout(() => {
      unguard = null;
      root.removeAttribute("data-lm-suppress-shortcuts");
    }, 0);
  }

  function update() {
    const v = model.get("view") || {};
    setBusy(false);
    const closed = Boolean(v.finished || v.retired);
    root.dataset.token = String(v.token);
    root.dataset.ack = String(v.ack);
    root.dataset.state = stateOf(v);
    position.textContent = v.finished
      ? `All ${v.total} items done`
      : `Item ${v.number} of ${v.total}`;
    progress.setAttribute("max", String(Math.max(1, v.total || 0)));
    progress.setAttribute("value", String(v.done_count || 0));
    count.textContent = `${v.done_count} / ${v.total} done`;
    if (isImage) {
      if (v.image) {
        image.setAttribute("src", v.image);
        image.setAttribute("alt", v.alt || "");
        image.setAttribute("width", String(v.width));
        image.setAttribute("height", String(v.height));
      }
      image.hidden = !v.image;
    } else {
      text.textContent = v.text || "";
      text.hidden = !v.text;
    }
    message.textContent = v.message || "";
    message.hidden = !v.message;
    for (const node of labelButtons) node.disabled = closed;
    skip.disabled = closed;
    undo.disabled = !v.can_undo;
    status.textContent = v.status || "";
    status.classList.toggle("hw-lab-error", v.status_kind === "error");
    const active = doc.activeElement;
    if (active && active.disabled && root.contains(active)) root.focus();
  }

  win.addEventListener("keydown", onKeydown, true);
  model.on("change:view", update);
  update();
  model.send({ type: "ready" });

  if (model.get("autofocus")) {
    let tries = 0;
    const focusWhenAttached = () => {
      if (root.isConnected) root.focus();
      else if (tries++ < 20) requestAnimationFrame(focusWhenAttached);
    };
    requestAnimationFrame(focusWhenAttached);
  }

  return () => {
    model.off("change:view", update);
    win.removeEventListener("keydown", onKeydown, true);
    if (timer !== null) clearTimeout(timer);
    if (unguard !== null) clearTimeout(unguard);
    root.removeAttribute("data-lm-suppress-shortcuts");
  };
}

export default { render };
