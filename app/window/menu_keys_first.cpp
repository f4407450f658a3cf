#include "menu_keys_first.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>

namespace {

// A key a field would not type or move with: one with Ctrl, Alt or Meta, or F1 to F35.
bool isCommandKey(const QKeyEvent& key)
{
    return (key.modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
           || (key.key() >= Qt::Key_F1 && key.key() <= Qt::Key_F35);
}

// The editing keys a field keeps. A marked spin box's value is a setting, which Edit → Undo
// takes back: its own Ctrl+Z would undo only digits typed into it (and none once it was spun).
bool fieldKeepsKey(const QWidget& field, const QKeyEvent& key)
{
    const auto marked = [](const QWidget* widget) {
        return widget && widget->property(menuUndoesValueProperty).toBool();
    };
    const bool settingBox = marked(&field) || marked(field.parentWidget()); // or its line edit
    for (QKeySequence::StandardKey standard :
         {QKeySequence::Copy, QKeySequence::Cut, QKeySequence::Paste, QKeySequence::Undo, QKeySequence::Redo,
          QKeySequence::SelectAll, QKeySequence::Delete, QKeySequence::Deselect})
        if (key.matches(standard))
            return !(settingBox && (standard == QKeySequence::Undo || standard == QKeySequence::Redo));
    return false;
}

// An enabled action of the window's menus has these keys.
bool isMenuKey(const QMainWindow& window, const QKeySequence& keys)
{
    for (const QMenu* menu : window.menuBar()->findChildren<QMenu*>())
        for (const QAction* action : menu->actions())
            if (action->isEnabled() && action->shortcuts().contains(keys))
                return true;
    return false;
}

} // namespace

MenuKeysFirst::MenuKeysFirst(QMainWindow* window) : QObject(window), m_window(window)
{
    qApp->installEventFilter(this);
}

bool MenuKeysFirst::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    auto* editor = qobject_cast<QWidget*>(watched);
    if (!editor || editor->window() != m_window
        || !(qobject_cast<QLineEdit*>(editor) || qobject_cast<QAbstractSpinBox*>(editor)))
        return false;
    const auto* key = static_cast<QKeyEvent*>(event);
    if (!isCommandKey(*key) || fieldKeepsKey(*editor, *key) || !isMenuKey(*m_window, QKeySequence(key->keyCombination())))
        return false;
    // Left unaccepted, so that the shortcut, not the editor, takes the key.
    event->ignore();
    return true;
}
