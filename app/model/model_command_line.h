// The command line with --model DIR: --dump writes every layer, --export draws one view
// (model, rollout, next, or a sandbox view of --layer L), with no window.
#pragma once

#include "export/figure_style.h"
#include "views/view_options.h"

#include <attn/backend_choice.h>

#include <QSize>
#include <QString>
#include <QTextStream>

#include <optional>

struct ModelCommand {
    QString folder;          // --model DIR
    QString text;            // --text as given, even empty; without --text the example sentence
    QString dumpDir;         // --dump DIR
    QString exportPath;      // --export FILE
    QString view;            // model | rollout | next | heads | links | steps | head:N
    int layer = -1;          // --layer, from 0; -1: not given (rollout: the last, others: the first)
    bool layerFromSession = false; // `layer` is a session file's, which counts from 0
    bool headFromSession = false;  // so is the head of a view head:N made from the session's "head"
    double imageScale = 1.0; // PNG pixels per logical pixel
    std::optional<QSize> pageSize; // --size; else each view's own page
    FigureStyle style;       // the figure's look, as the sandbox's figures take it
    attn::BackendKind backend = attn::BackendKind::Auto; // --backend
    WeightFilter filter;     // the session's display filter, as the window shows it
};

// "--layer 3" -> 2; a message in *error when it is not a whole number from 1.
int parseLayerArgument(const QString& value, QString* error);

// Loads the model, runs the text, dumps and/or exports. Returns the process exit code
// (0 done, 1 the model or a file failed, 2 a bad argument); messages go to err.
int runModelCommand(const ModelCommand& command, QTextStream& err);
