// The command line of attention-explorer, parsed into an engine request and what to do
// with it.
#pragma once

#include "export/figure_style.h"
#include "session/session.h"
#include "window/settings.h"

#include <attn/engine.h>

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

struct CommandLine {
    attn::Request request; // without --text, a session or --inputs: the example sentence
    QString inputsFile;      // --inputs FILE, whose name titles a figure that has no text
    QString weightsFile;     // --weights FILE, named in a figure's title and the dump's manifest
    QString dumpDir;         // --dump DIR: write the trace as .npy files and exit
    QString exportPath;      // --export FILE: write the figure of `view` and exit
    QString view;            // heads | links | steps | head:N; with --model also model | rollout | next
    QString modelFolder;     // --model DIR: a trained model (GPT-2, BERT) instead of the seeded layer
    int modelLayer = -1;     // --layer L, from 0; -1: not given
    bool layerFromSession = false; // modelLayer is the session's, not --layer
    bool modelFromSession = false; // modelFolder is the session's model, not --model's
    bool viewGiven = false;  // --view was on the command line (else a session's view wins)
    bool presentation = false; // --presentation: the classroom look in exports
    // --session FILE: the state it holds, with the command line's own options applied on
    // top (request, view). Its selection and display settings shape --export.
    std::optional<SessionState> session;
    QString sessionFile;
    QString sessionNote; // what of the session file was not read (session::ignoredMembersText); empty: all was
    double imageScale = 1.0; // pixel scale of a PNG export, 1 to 4
    std::optional<QSize> pageSize; // --size: the export's page in logical pixels, else the view's own
    bool title = true;       // the title line of an exported figure
    bool unitColorScale = false; // --unit-scale (or the session's): weights coloured from 0 to 1
    std::optional<Theme> theme;  // --theme: the window's, and the look of --export (dark: figureLook)
    std::optional<ColorMapId> colorMap; // --colors: the window's and --export's, over a session's
    bool textGiven = false;  // --text (or a session's text) was on the command line
    bool layerGiven = false; // some layer setting (--heads, --dk, ...) was on the command line
    bool causalGiven = false; // --causal itself, not a session's setting
    bool backendGiven = false; // --backend itself, not a session's setting

    // The request a dump or a figure runs: a session's causal setting with a source text is
    // kept but not applied, as in the window; --causal with a source is refused by the engine.
    attn::Request requestToRun() const;
    // The look of --export, the sandbox's figures and a model's alike: --theme, --colors (else
    // the session's), --presentation, --no-title, --unit-scale.
    FigureStyle figureStyle() const;
    // The view a model opens on: --view, else the session's, else the grid of every head.
    QString modelView() const;
    // The sandbox's figure's view: --view, else the session's (its head is the session's
    // selection: head:N), else heads.
    QString sandboxView() const;
};

struct ParsedCommandLine {
    std::optional<CommandLine> commandLine; // set when parsing succeeded
    QString error;                          // one line, when it did not
    bool exitNow = false;                   // --help or --version was answered
};

// Why `view` names no view (empty when it does): one of viewKeys(), head:N, and with a
// model (`model`) one of modelViewKeys().
QString viewNameProblem(const QString& view, bool model);

// Why a file or folder name among the raw arguments cannot be used (empty when all can):
// Qt reads arguments as UTF-8, so a name that is not would reach another file than the
// one meant (a dump into "dd_\xe9" went to "dd_\uFFFD").
QString fileNameArgumentProblem(int argc, char* argv[]);

// What to warn of when the raw --text or --source is not UTF-8 (empty when both are): the
// text is still used, each byte that is not UTF-8 read as U+FFFD.
QString textArgumentWarning(int argc, char* argv[]);

// Parses arguments (argv[0] first); loads --weights, --inputs and --session files. A
// session that cannot be opened is an error naming the file and what is wrong.
ParsedCommandLine parseCommandLine(const QStringList& arguments);
