// The window's menu keys win over a one-line editor's own: on X11 a QLineEdit (and so a
// spin box) claims emacs keys such as Ctrl+E (end of line), so that Ctrl+E, pressed right
// after changing the heads, exported nothing. Only keys with Ctrl, Alt or Meta, and
// function keys: a field keeps whatever it types or moves with, and the standard editing
// keys (copy, paste, undo, select all...), but for the Undo and Redo of a spin box marked
// with menuUndoesValueProperty: its value is a setting, which Edit → Undo takes back.
#pragma once

#include <QObject>

class QMainWindow;

// Set (true) on a spin box whose changes Edit → Undo takes back.
inline constexpr char menuUndoesValueProperty[] = "menuUndoesValue";

class MenuKeysFirst : public QObject {
public:
    // Watches every one-line editor in `window` (found when the event arrives, so editors
    // made later count too).
    explicit MenuKeysFirst(QMainWindow* window);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QMainWindow* m_window;
};
