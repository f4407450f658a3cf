#include "command_line_export.h"

#include "figure_export.h"
#include "views/model_views.h"
#include "views/paint_common.h"
#include "views/token_links_view.h"
#include "views/view_registry.h"

#include <QFileInfo>

namespace {

// The figure the command line asks for; its view must parse (commandLineExportProblem).
Figure commandLineFigure(const CommandLine& cli, const attn::Trace& trace)
{
    const ViewChoice choice = *parseViewChoice(cli.sandboxView(), nullptr);
    const attn::Request request = cli.requestToRun();
    // Given inputs without a text are named by their file in the title.
    const QString text = request.text.empty() && !cli.inputsFile.isEmpty() ? QFileInfo(cli.inputsFile).fileName()
                                                                          : QString::fromStdString(request.text);

    Figure figure;
    figure.paint = viewKind(choice.id).paint;
    figure.options.look = cli.figureStyle().look();
    if (cli.session) {
        const SessionState& state = *cli.session;
        figure.options.filter = state.filter;
        figure.options.focus.head = state.head;
        // The session's selection, where the trace has those tokens.
        if (state.query >= 0 && state.query < int(trace.queryCount())) {
            figure.options.focus.pinnedQueries = state.pinnedQueries();
            figure.options.focus.pinnedQueries.removeIf([&](int q) { return q >= int(trace.queryCount()); });
            if (state.key < int(trace.keyCount()))
                figure.options.focus.selectedKey = state.key;
        }
    }
    // A source without tokens is no source: the engine ran self-attention.
    figure.options.look.text = text;
    // The files that made the numbers, so that a loaded layer's figure is not taken for a
    // seeded one's, nor the figures of two inputs named by one text for each other.
    QStringList files;
    if (!cli.inputsFile.isEmpty() && !request.text.empty())
        files << u"inputs "_qs + QFileInfo(cli.inputsFile).fileName();
    if (!cli.weightsFile.isEmpty())
        files << u"weights "_qs + QFileInfo(cli.weightsFile).fileName();
    figure.options.look.note = files.join(u"  ·  "_qs);
    if (trace.isCross() && request.sourceText)
        figure.options.look.source = QString::fromStdString(*request.sourceText);
    if (choice.id == ViewId::HeadDetail)
        figure.options.focus.head = choice.head; // head:N; other views keep the session's head
    figure.size = cli.pageSize.value_or(exportPageSize(choice.id, trace, figure.options));
    if (cli.pageSize)
        figure.fit = PageFit::CentreContent;
    figure.scale = cli.imageScale;
    return figure;
}

} // namespace

QString commandLineExportProblem(const CommandLine& cli, const attn::Trace& trace)
{
    const QString viewName = cli.sandboxView();
    if (!cli.viewGiven && cli.session && modelViewKeys().contains(viewName))
        return cli.sessionFile + u": the session's view “"_qs + viewName
               + u"” shows a trained model, and the session has none; give --view heads, links, steps or head:N."_qs;
    QString problem;
    const std::optional<ViewChoice> choice = parseViewChoice(viewName, &problem);
    if (!choice)
        return problem;
    if (trace.queryCount() == 0)
        return nothingToDrawText();
    if (choice->id == ViewId::HeadDetail && choice->head >= trace.config.heads)
        return headPastTheLayerText(viewName, u"the layer"_qs, trace.config.heads);
    if (choice->id == ViewId::TokenLinks)
        return tokenLinksRoomProblem(commandLineFigure(cli, trace), trace);
    return {};
}

QString tokenLinksRoomProblem(const Figure& figure, const attn::Trace& trace)
{
    // The links' legend wraps to more lines with more heads, and takes the rows' room.
    if (!layoutTokenLinks(QRectF(QPointF(0, 0), QSizeF(figure.size)), trace, figure.options).empty)
        return {};
    const QSize natural = exportPageSize(ViewId::TokenLinks, trace, figure.options);
    return u"--size "_qs + QString::number(figure.size.width()) + u'x' + QString::number(figure.size.height())
           + u": the page has no room for the rows of the token links ("_qs
           + paintkit::countOf(qint64(trace.queryCount()), u"token"_qs) + u"; the legend of "_qs
           + paintkit::countOf(trace.config.heads, u"head"_qs) + u" and the notes take the rest); give a larger --size, as "_qs
           + QString::number(natural.width()) + u'x' + QString::number(natural.height()) + u", or leave it out."_qs;
}

int runCommandLineExport(const CommandLine& cli, const attn::Trace& trace, QTextStream& err)
{
    const QString error = exportFigure(commandLineFigure(cli, trace), trace, cli.exportPath);
    if (!error.isEmpty()) {
        err << "attention-explorer: " << error << Qt::endl;
        return 1;
    }
    return 0;
}
