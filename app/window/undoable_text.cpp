#include "undoable_text.h"

#include <QPlainTextEdit>
#include <QTextCursor>
#include <QTextDocument>

void replaceTextUndoably(QPlainTextEdit& edit, const QString& text)
{
    QTextDocument* document = edit.document();
    if (document->isEmpty() && !document->isUndoAvailable()) {
        edit.setPlainText(text);
        return;
    }
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    cursor.endEditBlock();
}
