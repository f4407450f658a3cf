// Replacing what a text box holds as one step that Ctrl+Z takes back.
#pragma once

class QPlainTextEdit;
class QString;

// An example or an opened session replaces the text as one edit, so that Ctrl+Z brings back
// what was typed (setPlainText forgets the undo history). A box that never held a text (the
// window's start) just takes it: there is nothing to bring back.
void replaceTextUndoably(QPlainTextEdit& edit, const QString& text);
