// The tokens the views select, marked in the text box where the sentence was typed: the
// query (hovered, else the pinned ones) filled in the accent colour, the key (the hovered
// query's, else the pinned one's; self-attention only: a source's keys are in the other
// field) underlined in it. The Steps always follow one query and key, also with nothing
// selected (the last token, its strongest key): those. A student sees which word of their
// own sentence the numbers are about.
#pragma once

#include "views/view_options.h"

#include <attn/trace.h>

#include <QColor>
#include <QList>
#include <QTextEdit>

class QPlainTextEdit;

// None once the box no longer holds `tracedText`, the text the trace's tokens came from.
// `steps`: the Steps view is the one shown.
QList<QTextEdit::ExtraSelection> tokenMarks(const QPlainTextEdit& box, const QString& tracedText, const attn::Trace& trace,
                                            const Focus& focus, bool steps, const QColor& accent);
