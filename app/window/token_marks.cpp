#include "token_marks.h"

#include "views/steps_layout.h"

#include <QPlainTextEdit>
#include <QTextCursor>

#include <string>

namespace {

bool continuationByte(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The token's byte span as a cursor over the box's characters. A model's byte tokens may
// split a character: the span widens to the whole characters it touches.
QTextCursor cursorOver(const QPlainTextEdit& box, const std::string& utf8, const attn::Token& token)
{
    std::size_t begin = std::min(token.begin, utf8.size()), end = std::min(token.end, utf8.size());
    while (begin > 0 && continuationByte(utf8[begin]))
        --begin;
    while (end < utf8.size() && continuationByte(utf8[end]))
        ++end;
    QTextCursor cursor(box.document());
    cursor.setPosition(int(QString::fromUtf8(utf8.data(), qsizetype(begin)).size()));
    cursor.setPosition(int(QString::fromUtf8(utf8.data(), qsizetype(end)).size()), QTextCursor::KeepAnchor);
    return cursor;
}

} // namespace

QList<QTextEdit::ExtraSelection> tokenMarks(const QPlainTextEdit& box, const QString& tracedText, const attn::Trace& trace,
                                            const Focus& focus, bool steps, const QColor& accent)
{
    QList<QTextEdit::ExtraSelection> marks;
    if (tracedText.isEmpty() || box.toPlainText() != tracedText)
        return marks;
    const std::string utf8 = tracedText.toStdString();
    const auto mark = [&](const std::vector<attn::Token>& tokens, int index, const QTextCharFormat& format) {
        if (index < 0 || std::size_t(index) >= tokens.size() || tokens[std::size_t(index)].end <= tokens[std::size_t(index)].begin)
            return;
        marks.append({cursorOver(box, utf8, tokens[std::size_t(index)]), format});
    };

    QTextCharFormat query;
    QColor fill = accent;
    fill.setAlpha(70);
    query.setBackground(fill);
    QList<int> queries = focus.hasHover() ? QList<int>{focus.hoverQuery} : focus.pinnedQueries;
    int keyShown = focus.hasHover() ? focus.hoverKey : focus.selectedKey;
    if (steps && trace.queryCount() > 0) {
        const StepsSelection followed = stepsSelection(trace, focus);
        queries = {followed.query};
        keyShown = followed.key;
    }
    for (const int q : queries)
        mark(trace.tokens, q, query);

    if (!trace.isCross()) {
        QTextCharFormat key;
        key.setUnderlineStyle(QTextCharFormat::SingleUnderline);
        key.setUnderlineColor(accent);
        key.setFontUnderline(true);
        mark(trace.tokens, keyShown, key);
    }
    return marks;
}
