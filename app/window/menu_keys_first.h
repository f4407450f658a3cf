// The window's menu keys win over a one-line editor's own: on X11 a QLineEdit (and so a
// spin box) claims emacs keys such as Ctrl+E (end of line), so that Ctrl+E, pressed right
// after changing the heads, exported nothing. The standard editing keys (copy, paste,
// undo, select all...) stay the editor's.
#pragma once

#include <QObject>

class QWidget;

class MenuKeysFirst : public QObject {
public:
    // Watches every one-line editor in `window` (found when the event arrives, so editors
    // made later count too).
    explicit MenuKeysFirst(QWidget* window);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* m_window;
};
