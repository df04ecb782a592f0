// The "Program it" code editor: CodeMirror 6 with Python, attached over a plain <textarea>,
// which stays in the form (hidden) and is what is submitted.
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { indentOnInput, bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";

function attach(textarea) {
  var view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(),
        bracketMatching(), indentUnit.of("    "),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        keymap.of([indentWithTab].concat(defaultKeymap, historyKeymap)),
        python(),
        EditorView.contentAttributes.of({ "aria-label": "controller.py, your Python code" }),
        EditorView.updateListener.of(function (u) { if (u.docChanged) textarea.value = u.state.doc.toString(); }),
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.hidden = true;
  view.dom.classList.add("code-editor");
  return {
    view: view,
    getCode: function () { return view.state.doc.toString(); },
    setCode: function (code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
      textarea.value = code;
    },
  };
}

window.RemixbankEditor = { attach: attach };
