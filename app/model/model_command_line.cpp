#include "model_command_line.h"

#include "export/command_line_export.h"

#include "cli/dump.h"
#include "compute/failure_text.h"
#include "export/figure_export.h"
#include "model_export.h"
#include "model_result.h"
#include "views/model_views.h"
#include "views/view_registry.h"

#include <attn/backend_choice.h>
#include <attn/model/model_session.h>

int parseLayerArgument(const QString& value, QString* error)
{
    bool ok = false;
    const int layer = value.trimmed().toInt(&ok);
    if (ok && layer >= 1)
        return layer - 1;
    if (error)
        *error = u"--layer "_qs + value + u": give the layer as a whole number from 1, as in --layer 3."_qs;
    return -1;
}

int runModelCommand(const ModelCommand& command, QTextStream& err)
{
    const auto fail = [&err](const QString& message, int code) {
        err << "attention-explorer: " << message << Qt::endl;
        return code;
    };
    try { // a backend named by ATTN_BACKEND is refused with the options, as --backend's is
        attn::checkBackendChoice(command.backend);
    } catch (const attn::Error& error) {
        return fail(QString::fromStdString(error.what()), 2);
    }
    // The view is checked before the model is loaded: a typo should not wait on a large model.
    const QString viewKey = command.view.isEmpty() ? u"model"_qs : command.view;
    const std::optional<ModelViewId> modelView = parseModelViewKey(viewKey);
    std::optional<ViewChoice> sandboxView;
    if (!command.exportPath.isEmpty() && !modelView) {
        QString problem;
        sandboxView = parseViewChoice(viewKey, &problem);
        if (!sandboxView)
            return fail(problem + u" With --model there are also model, rollout and next."_qs, 2);
    }

    ModelResultPtr result;
    const QString& text = command.text;
    std::shared_ptr<const attn::Model> model;
    try {
        model = attn::Model::load(command.folder.toStdString());
    } catch (const attn::Error& error) {
        // A folder or file that cannot be used is an input refused, as a layer file's is (2).
        return fail(QString::fromStdString(error.what()), 2);
    } catch (...) {
        return fail(failureText(std::current_exception(), u"while loading the model"_qs,
                                u"try a smaller model"_qs),
                    1);
    }
    attn::ModelRunOptions runOptions;
    runOptions.backend = command.backend;
    try { // a text the model cannot take is refused as given (2), as the sandbox's is
        attn::checkModelRun(*model, text.toStdString(), runOptions);
    } catch (const attn::Error& error) {
        return fail(QString::fromStdString(error.what()), 2);
    }
    try {
        result = makeModelResult(attn::runModel(model, text.toStdString(), runOptions));
    } catch (...) {
        return fail(failureText(std::current_exception(), u"while running the model"_qs,
                                u"try a smaller model or a shorter text"_qs),
                    1);
    }
    const attn::ModelTrace& trace = *result->trace;
    if (!trace.fallbackReason.empty())
        err << "attention-explorer: " << fallbackText(trace.fallbackReason, trace.backend) << Qt::endl;
    const int layers = result->layers();
    if (command.layer >= layers) {
        const QString has = QString::fromStdString(trace.modelName) + u" has "_qs + QString::number(layers) + u" layers"_qs;
        // Said in the numbers of where the layer was given: the file's count from 0.
        return fail(command.layerFromSession
                        ? u"the session's model layer is "_qs + QString::number(command.layer)
                              + u" (the file counts from 0): "_qs + has + u"; in the file, use 0 to "_qs
                              + QString::number(layers - 1) + u'.'
                        : u"--layer "_qs + QString::number(command.layer + 1) + u": "_qs + has + u"; use 1 to "_qs
                              + QString::number(layers) + u'.',
                    2);
    }

    ViewOptions options;
    options.look = command.style.look();
    options.look.text = text;
    options.filter = command.filter;
    // A sandbox view of one layer, painted from that layer's own trace.
    const int shownLayer = std::max(0, command.layer);
    const auto layerAttention = layerTrace(result, shownLayer);
    Figure layerFigure;
    if (sandboxView) {
        layerFigure.paint = viewKind(sandboxView->id).paint;
        layerFigure.options = options;
        layerFigure.options.look.note = u"layer "_qs + QString::number(shownLayer + 1) + u" of "_qs
                                        + QString::fromStdString(trace.modelName);
        layerFigure.options.focus.head = sandboxView->head;
        layerFigure.size = command.pageSize.value_or(exportPageSize(sandboxView->id, *layerAttention, layerFigure.options));
        if (command.pageSize)
            layerFigure.fit = PageFit::CentreContent;
        layerFigure.scale = command.imageScale;
    }

    // A figure that cannot be drawn is refused before the dump is written.
    if (!command.exportPath.isEmpty()) {
        if (trace.tokens.empty())
            return fail(nothingToDrawText(), 2);
        if (modelView == ModelViewId::NextToken && !trace.config.hasLanguageModelHead())
            return fail(u"--view next: "_qs + QString::fromStdString(trace.modelName)
                            + u" has no next-token head (it reads the whole text at once); use a GPT-2 model, or another view."_qs,
                        2);
        if (sandboxView && sandboxView->id == ViewId::HeadDetail && sandboxView->head >= trace.config.heads) {
            const QString model = QString::fromStdString(trace.modelName);
            const int heads = trace.config.heads;
            // Said in the numbers of where the head was given, as the layer is.
            return fail(command.headFromSession
                            ? u"the session's head is "_qs + QString::number(sandboxView->head) + u" (the file counts from 0): "_qs
                                  + model + u" has "_qs + QString::number(heads) + u" heads; in the file, use 0 to "_qs
                                  + QString::number(heads - 1) + u'.'
                            : headPastTheLayerText(viewKey, model, heads),
                        2);
        }
        if (sandboxView && sandboxView->id == ViewId::TokenLinks)
            if (const QString problem = tokenLinksRoomProblem(layerFigure, *layerAttention); !problem.isEmpty())
                return fail(problem, 2);
    }
    if (!command.dumpDir.isEmpty()) {
        try {
            writeModelDump(trace, text, command.folder, command.dumpDir);
        } catch (...) {
            return fail(failureText(std::current_exception(), u"while writing the dump"_qs, u"try a shorter text"_qs), 1);
        }
    }
    if (command.exportPath.isEmpty())
        return 0;

    QString problem;
    if (modelView) {
        ModelFigure figure;
        figure.view = *modelView;
        figure.options = options;
        figure.focus.layer = command.layer >= 0 ? command.layer : (*modelView == ModelViewId::Rollout ? layers - 1 : 0);
        if (figure.view == ModelViewId::Grid)
            figure.focus.head = -1; // nobody selected a head: no frame, no "Selected"
        figure.size = command.pageSize.value_or(modelExportPageSize(figure.view, *result, figure.options.look));
        if (command.pageSize)
            figure.fit = PageFit::CentreContent;
        figure.scale = command.imageScale;
        problem = exportModelFigure(figure, *result, command.exportPath);
    } else {
        problem = exportFigure(layerFigure, *layerAttention, command.exportPath);
    }
    return problem.isEmpty() ? 0 : fail(problem, 1);
}
