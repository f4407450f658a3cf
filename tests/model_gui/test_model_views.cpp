#include "views/paint_common.h"
#include "views/next_token_view.h"
// The model views and what feeds them: the head search ranks heads by their pattern, the
// Model grid lays out every layer's heads and paints each one's own weights, a click names
// the head, the rollout paints the selected layer's slice, the compute service opens
// models (keeping the open one when a folder is malformed) and runs GPT-2 incrementally,
// and model figures and dumps are written.
#include "../app/gui_test_main.h"
#include "model_gui_util.h"

#include "cli/dump.h"
#include "model/head_search.h"
#include "model/model_compute_service.h"
#include "model/model_export.h"
#include "model/model_grid_panel.h"
#include "views/colormap.h"
#include "views/display_weights.h"
#include "views/model_grid_view.h"
#include "views/model_view_widget.h"
#include "views/rollout_view.h"

#include <attn/error.h>
#include <attn/model/model_session.h>
#include <attn/npy.h>

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace modelgui;

namespace {

ViewOptions standardOptions()
{
    ViewOptions options;
    options.look = Appearance::standard();
    options.look.text = u"the model reads the text"_qs;
    return options;
}

QImage render(ModelViewId view, const ModelResult& result, const ModelFocus& focus, QSize size = QSize(900, 700))
{
    ModelFigure figure;
    figure.view = view;
    figure.options = standardOptions();
    figure.focus = focus;
    figure.size = size;
    return renderModelImage(figure, result).convertToFormat(QImage::Format_RGB32);
}

ModelResultPtr runFixture(const char* name, const std::string& text)
{
    return makeModelResult(attn::runModel(attn::Model::load(fixtureModel(name).toStdString()), text, blasOptions()));
}

} // namespace

class TestModelViews : public QObject {
    Q_OBJECT

private slots:
    // A screen reader hears what each model view shows selected, as the sandbox views say
    // theirs: the grid's layer and head, the rollout's layer, the next tokens with their odds.
    void eachModelViewDescribesItsSelection()
    {
        const ModelResultPtr gpt2 = runFixture("gpt2-tiny", "The cat sat on the mat");
        ModelFocus focus;
        focus.layer = 1;
        focus.head = 2;
        const auto described = [&](ModelViewId id, const ModelResultPtr& result) {
            ModelViewWidget widget(id);
            widget.setResult(result);
            widget.setModelFocus(focus);
            return widget.accessibleDescription();
        };
        QCOMPARE(ModelViewWidget(ModelViewId::Grid).accessibleDescription(), u"No text computed yet."_qs);
        const QString grid = described(ModelViewId::Grid, gpt2);
        QVERIFY2(grid.contains(u"layer 2 of 2, head 3 of 4"_qs), qPrintable(grid));
        const QString rollout = described(ModelViewId::Rollout, gpt2);
        QVERIFY2(rollout.contains(u"through layer 2 of 2"_qs), qPrintable(rollout));
        const QString next = described(ModelViewId::NextToken, gpt2);
        const attn::TokenPrediction& first = gpt2->trace->nextToken.front();
        QVERIFY2(next.contains(paintkit::quoted(paintkit::visibleTokenText(first.text)) + u' ' + probabilityText(first.probability)),
                 qPrintable(next));
        const QString bert = described(ModelViewId::NextToken, runFixture("bert-tiny", "The cat sat on the mat"));
        QCOMPARE(bert, u"This model has no next-token head."_qs);
    }

    // A probability is written with the digits that say it: 0.015% read "0.0%".
    void aSmallProbabilityKeepsTwoSignificantDigits()
    {
        QCOMPARE(probabilityText(0.5), u"50.0%"_qs);
        QCOMPARE(probabilityText(0.001), u"0.1%"_qs);
        QCOMPARE(probabilityText(0.00015), u"0.015%"_qs);
        QCOMPARE(probabilityText(0.0), u"0.0%"_qs);
        QCOMPARE(probabilityText(1.2e-7), u"<0.001%"_qs); // not "1.2e-05%"
    }

    void headSearchFindsTheHeadWithThePattern_data()
    {
        QTest::addColumn<int>("search");
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("head");
        QTest::newRow("previous token") << int(HeadSearch::PreviousToken) << 0 << 0;
        QTest::newRow("themselves") << int(HeadSearch::Self) << 0 << 1;
        QTest::newRow("first token") << int(HeadSearch::FirstToken) << 1 << 0;
        QTest::newRow("spread evenly") << int(HeadSearch::Even) << 1 << 1;
    }
    void headSearchFindsTheHeadWithThePattern()
    {
        QFETCH(int, search);
        QFETCH(int, layer);
        QFETCH(int, head);
        const std::vector<HeadMatch> matches = searchHeads(*makeModelResult(patternTrace()), HeadSearch(search));
        QCOMPARE(int(matches.size()), 4);
        QCOMPARE(matches.front().layer, layer);
        QCOMPARE(matches.front().head, head);
        QVERIFY(matches.front().matches);
        // The pure patterns are exclusive: only the one head passes the threshold.
        for (std::size_t i = 1; i < matches.size(); ++i) {
            QVERIFY2(!matches[i].matches, qPrintable(u"also matched: L"_qs + QString::number(matches[i].layer + 1)));
            QVERIFY(matches[i].score <= matches[i - 1].score);
        }
    }

    // A search reads every layer's head statistics from the result, each kept from its first use.
    void aResultKeepsEveryLayersHeadStatistics()
    {
        const ModelResultPtr result = makeModelResult(patternTrace());
        const std::vector<HeadStatsPtr> stats = result->headStats();
        QCOMPARE(int(stats.size()), result->layers());
        for (int layer = 0; layer < result->layers(); ++layer) {
            const std::vector<attn::HeadStats> expected = attn::headStats(result->trace->layers[std::size_t(layer)]);
            const std::vector<attn::HeadStats>& got = *stats[std::size_t(layer)];
            QCOMPARE(int(got.size()), result->heads());
            for (int head = 0; head < result->heads(); ++head) {
                QCOMPARE(got[std::size_t(head)].head, head);
                QCOMPARE(got[std::size_t(head)].normalizedEntropy, expected[std::size_t(head)].normalizedEntropy);
            }
            QCOMPARE(result->layerHeadStats(layer), stats[std::size_t(layer)]);
        }
        QVERIFY(!result->layerHeadStats(result->layers()));
    }

    // BERT names an emoji "[UNK]": a tooltip says what was typed there, so that a row of
    // them can be told apart.
    void anUnknownTokensTooltipSaysWhatWasTyped()
    {
        const std::string text = "the cat \xF0\x9F\x91\x8D sat";
        const ModelResultPtr result = runFixture("bert-tiny", text);
        const auto layer = layerTrace(result, 0);
        int unknown = -1;
        for (std::size_t i = 0; i < layer->tokens.size(); ++i)
            if (layer->tokens[i].text == "[UNK]")
                unknown = int(i);
        QVERIFY2(unknown >= 0, "bert-tiny knows the emoji here; this test needs a token it does not");
        ViewOptions options;
        options.look.text = QString::fromStdString(text);
        const QString tip = weightToolTip(*layer, options, 0, unknown, 1);
        QVERIFY2(tip.contains(u"“[UNK]” (typed “👍”)"_qs), qPrintable(tip));
        QVERIFY2(!tip.contains(u"typed “cat”"_qs), qPrintable(tip)); // a known token is as the model has it
    }

    void noSearchRanksNothing()
    {
        QVERIFY(searchHeads(*makeModelResult(patternTrace()), HeadSearch::None).empty());
    }

    void gridLaysOutLayersDownAndHeadsAcross_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("gpt2-tiny") << u"gpt2-tiny"_qs;
        QTest::newRow("bert-tiny") << u"bert-tiny"_qs;
    }
    void gridLaysOutLayersDownAndHeadsAcross()
    {
        QFETCH(QString, model);
        const ModelResultPtr result = runFixture(model.toUtf8().constData(), "attention heads look at words");
        const attn::ModelConfig& config = result->trace->config;
        const ModelGridLayout layout = layoutModelGrid(QRectF(0, 0, 900, 700), *result, standardOptions(), ModelFocus{});
        QCOMPARE(int(layout.tiles.size()), config.layers * config.heads);
        QCOMPARE(layout.rows, config.layers);
        QCOMPARE(layout.columns, config.heads);
        for (const ModelGridTile& slot : layout.tiles) {
            const QRectF origin = layout.tiles.front().thumb;
            // Same row for the same layer, same column for the same head.
            const ModelGridTile& sameLayer = layout.tiles[std::size_t(slot.layer * config.heads)];
            const ModelGridTile& sameHead = layout.tiles[std::size_t(slot.head)];
            QCOMPARE(slot.thumb.top(), sameLayer.thumb.top());
            QCOMPARE(slot.thumb.left(), sameHead.thumb.left());
            QVERIFY(slot.thumb.top() >= origin.top() && slot.thumb.left() >= origin.left());
            QCOMPARE(modelGridTileAt(layout, slot.thumb.center()), int(&slot - layout.tiles.data()));
        }
    }

    void thumbnailsPaintEachHeadsOwnWeights()
    {
        const auto trace = patternTrace(6);
        const ModelResultPtr result = makeModelResult(trace);
        const ModelGridLayout layout = layoutModelGrid(QRectF(0, 0, 900, 700), *result, standardOptions(), ModelFocus{});
        const QImage image = render(ModelViewId::Grid, *result, ModelFocus{});
        const ColorMap map(ColorMapId::Viridis);
        // Every weight is 0 or at most 1 and the largest is 1: the colour of a cell is map(w),
        // but for the keys a causal mask hides, hatched in greys over the page's white.
        for (const ModelGridTile& slot : layout.tiles) {
            const attn::Trace& layer = trace->layers[std::size_t(slot.layer)];
            const attn::Tensor& w = layer.weights;
            for (int q = 0; q < 6; ++q)
                for (int k = 0; k < 6; ++k) {
                    const QPointF at(slot.thumb.left() + (k + 0.5) * slot.thumb.width() / 6,
                                     slot.thumb.top() + (q + 0.5) * slot.thumb.height() / 6);
                    const QRgb got = image.pixel(at.toPoint());
                    if (layer.config.causal && k > q) {
                        QVERIFY(qRed(got) == qGreen(got) && qGreen(got) == qBlue(got) && qRed(got) > 150);
                        continue;
                    }
                    const QRgb want = map.rgb(w.at(std::size_t(slot.head), std::size_t(q), std::size_t(k)));
                    QVERIFY2(colorDistance(got, want) <= 6,
                             qPrintable(u"L"_qs + QString::number(slot.layer + 1) + u" H"_qs + QString::number(slot.head + 1)
                                        + u" cell "_qs + QString::number(q) + u","_qs + QString::number(k)));
                }
        }
    }

    void sortedGridListsBestMatchFirst()
    {
        const ModelResultPtr result = makeModelResult(patternTrace());
        ModelFocus focus;
        focus.search = HeadSearch::FirstToken;
        focus.sortBySearch = true;
        const ModelGridLayout layout = layoutModelGrid(QRectF(0, 0, 900, 700), *result, standardOptions(), focus);
        QVERIFY(layout.sorted);
        QCOMPARE(int(layout.tiles.size()), 4);
        QCOMPARE(layout.tiles.front().layer, 1);
        QCOMPARE(layout.tiles.front().head, 0);
        QVERIFY(!layout.tiles.front().caption.isEmpty());
    }

    void clickingAThumbnailNamesItsLayerAndHead()
    {
        ModelGridPanel panel;
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        ModelViewWidget* grid = panel.grid();
        grid->setResult(runFixture("gpt2-tiny", "the model reads the text"));
        QSignalSpy activated(grid, &ModelViewWidget::headActivated);
        const QPointF center = grid->thumbnailCenter(1, 2);
        QVERIFY(!center.isNull());
        QTest::mouseClick(grid, Qt::LeftButton, Qt::NoModifier, center.toPoint());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.front().at(0).toInt(), 1);
        QCOMPARE(activated.front().at(1).toInt(), 2);
        QCOMPARE(grid->modelFocus().layer, 1);
        QCOMPARE(grid->modelFocus().head, 2);

        QSignalSpy searched(&panel, &ModelGridPanel::searchChanged);
        panel.searchBox()->setCurrentIndex(panel.searchBox()->findData(int(HeadSearch::PreviousToken)));
        QCOMPARE(searched.count(), 1);
        QCOMPARE(panel.search(), HeadSearch::PreviousToken);
    }

    void rolloutPaintsTheSelectedLayersSlice_data()
    {
        QTest::addColumn<int>("layer");
        QTest::newRow("through layer 1") << 0;
        QTest::newRow("through layer 2") << 1;
    }
    void rolloutPaintsTheSelectedLayersSlice()
    {
        QFETCH(int, layer);
        const ModelResultPtr result = runFixture("gpt2-tiny", "the model reads");
        const int n = result->tokens();
        QCOMPARE(result->rollout.shape, (std::vector<std::size_t>{2, std::size_t(n), std::size_t(n)}));
        ModelFocus focus;
        focus.layer = layer;
        const RolloutLayout layout = layoutRollout(QRectF(0, 0, 900, 700), *result, standardOptions(), focus);
        QVERIFY(!layout.empty);
        QCOMPARE(layout.layer, layer);
        const QImage image = render(ModelViewId::Rollout, *result, focus);
        float vmax = 0.f;
        for (int q = 0; q < n; ++q)
            for (int k = 0; k < n; ++k)
                vmax = std::max(vmax, result->rollout.at(std::size_t(layer), std::size_t(q), std::size_t(k)));
        const ColorMap map(ColorMapId::Viridis);
        for (int q = 0; q < n; ++q)
            for (int k = 0; k < n; ++k) {
                const QRgb got = image.pixel(layout.matrix.cellRect(k, q).center().toPoint());
                const QString cell = QString::number(q) + u","_qs + QString::number(k);
                if (k > q) { // GPT-2's causal mask: hatched (lines over the page), not coloured as a weight of 0
                    QVERIFY2(colorDistance(got, map.rgb(0.f)) > 6, qPrintable(cell));
                    QSet<QRgb> colours;
                    const QRect inside = layout.matrix.cellRect(k, q).toAlignedRect().adjusted(2, 2, -2, -2);
                    for (int y = inside.top(); y <= inside.bottom(); ++y)
                        for (int x = inside.left(); x <= inside.right(); ++x)
                            colours.insert(image.pixel(x, y));
                    QVERIFY2(colours.size() >= 2, qPrintable(cell));
                    continue;
                }
                const QRgb want = map.rgb(result->rollout.at(std::size_t(layer), std::size_t(q), std::size_t(k)) / vmax);
                QVERIFY2(colorDistance(got, want) <= 6, qPrintable(cell));
            }
    }

    void serviceOpensAModelAndRunsText()
    {
        WatchedService watched(blasOptions());
        auto& [service, opened, finished] = watched;
        service.open(fixtureModel("gpt2-tiny"));
        QVERIFY(opened.wait(10000));
        service.submit(u"the model reads the text"_qs);
        QVERIFY(finished.wait(10000));
        const auto result = finished.front().at(1).value<ModelResultPtr>();
        const ModelResultPtr want = runFixture("gpt2-tiny", "the model reads the text");
        QCOMPARE(result->trace->tokenIds, want->trace->tokenIds);
        QCOMPARE(result->layers(), want->layers());
        for (int l = 0; l < want->layers(); ++l)
            QCOMPARE(result->trace->layers[std::size_t(l)].weights.data, want->trace->layers[std::size_t(l)].weights.data);
    }

    void serviceKeepsTheOpenModelWhenAFolderIsMalformed()
    {
        QTemporaryDir dir;
        const QString bad = makeMalformedModel(dir);
        const QString engineMessage = engineLoadMessage(bad);
        QVERIFY(!engineMessage.isEmpty());

        ModelComputeService service;
        QSignalSpy opened(&service, &ModelComputeService::modelOpened);
        QSignalSpy openFailed(&service, &ModelComputeService::openFailed);
        QSignalSpy finished(&service, &ModelComputeService::finished);
        service.open(fixtureModel("bert-tiny"));
        QVERIFY(opened.wait(10000));
        service.open(bad);
        QVERIFY(openFailed.wait(10000));
        QCOMPARE(openFailed.front().at(2).toString(), engineMessage);
        service.submit(u"quick brown fox"_qs);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.front().at(1).value<ModelResultPtr>()->trace->modelName, std::string("bert-tiny"));
    }

    void serviceRecomputesOnlyNewRowsOfGpt2()
    {
        WatchedService watched(blasOptions());
        auto& [service, opened, finished] = watched;
        service.open(fixtureModel("gpt2-tiny"));
        QVERIFY(opened.wait(10000));
        service.submit(u"the model reads"_qs);
        QVERIFY(finished.wait(10000));
        const auto first = finished.takeFirst().at(1).value<ModelResultPtr>();
        service.submit(u"the model reads the text"_qs);
        QVERIFY(finished.wait(10000));
        const auto second = finished.takeFirst().at(1).value<ModelResultPtr>();
        QVERIFY(second->trace->firstComputedRow > 0);
        QVERIFY(second->trace->firstComputedRow <= first->trace->tokenCount());
        // The reused rows give what a full run gives.
        const ModelResultPtr full = runFixture("gpt2-tiny", "the model reads the text");
        for (int l = 0; l < full->layers(); ++l) {
            const auto& got = second->trace->layers[std::size_t(l)].weights.data;
            const auto& want = full->trace->layers[std::size_t(l)].weights.data;
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < got.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= 1e-5f, qPrintable(QString::number(i)));
        }
        // So does the rollout, of which the rows before the edit come from the first result.
        QCOMPARE(second->rollout.shape, full->rollout.shape);
        for (std::size_t i = 0; i < full->rollout.size(); ++i)
            QVERIFY2(std::abs(second->rollout.data[i] - full->rollout.data[i]) <= 1e-5f, qPrintable(QString::number(i)));
    }

    // After an edit the rollout takes the rows of the unchanged tokens from the result before
    // it, and only from a result computed from those tokens.
    void rolloutKeepsTheRowsOfUnchangedTokensFromTheResultBeforeTheEdit()
    {
        attn::ModelSession session(attn::Model::load(fixtureModel("gpt2-tiny").toStdString()), blasOptions());
        ModelResult before;
        before.trace = session.update("the model reads");
        const auto edited = session.update("the model reads the text");
        const std::size_t kept = edited->firstComputedRow, layers = edited->layerCount();
        QVERIFY(kept > 0);
        // A marker in the earlier rollout shows which rows were taken from it.
        const auto marked = [](ModelResult& result) {
            const std::size_t n = result.trace->tokenCount();
            result.rollout = attn::Tensor({result.trace->layerCount(), n, n});
            std::fill(result.rollout.data.begin(), result.rollout.data.end(), 7.0f);
        };
        marked(before);
        const ModelResultPtr reused = makeModelResult(edited, &before);
        for (std::size_t l = 0; l < layers; ++l) {
            QCOMPARE(reused->rollout.at(l, kept - 1, 0), 7.0f);
            QVERIFY(reused->rollout.at(l, kept, 0) != 7.0f);
        }

        ModelResult other;
        other.trace = runFixture("gpt2-tiny", "a cat reads the model text")->trace;
        QVERIFY(other.trace->tokenCount() >= kept);
        marked(other);
        const ModelResultPtr computed = makeModelResult(edited, &other);
        const attn::Tensor full = attn::attentionRollout(*edited);
        QCOMPARE(computed->rollout.data, full.data);
    }

    void modelFiguresExportAsPngAndSvg_data()
    {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QString>("file");
        for (const char* view : {"model", "rollout", "next"})
            for (const char* file : {"figure.png", "figure.svg"})
                QTest::newRow(QByteArray(QByteArray(view) + " " + file).constData()) << QString::fromLatin1(view) << QString::fromLatin1(file);
    }
    void modelFiguresExportAsPngAndSvg()
    {
        QFETCH(QString, view);
        QFETCH(QString, file);
        const ModelResultPtr result = runFixture("gpt2-tiny", "the model reads the text");
        QTemporaryDir dir;
        ModelFigure figure;
        figure.view = *parseModelViewKey(view);
        figure.options = standardOptions();
        figure.size = modelExportPageSize(figure.view, *result, figure.options.look);
        const QString path = dir.filePath(file);
        QCOMPARE(exportModelFigure(figure, *result, path), QString());
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray bytes = written.readAll();
        if (file.endsWith(u".png"_qs)) {
            const QImage image = QImage::fromData(bytes, "PNG");
            QCOMPARE(image.size(), figure.size);
        } else {
            QVERIFY(bytes.contains("<svg"));
            if (view != u"next")
                QVERIFY(bytes.contains("<image")); // the heatmaps stay images, not n² rectangles
        }
        // To look at the figures: ATTN_TEST_FIGURES_DIR=/some/folder keeps a copy there.
        if (const QString keep = qEnvironmentVariable("ATTN_TEST_FIGURES_DIR"); !keep.isEmpty())
            QFile::copy(path, keep + u"/gpt2-tiny-"_qs + view + u"-"_qs + file);
        QVERIFY(!exportModelFigure(figure, *result, dir.filePath(u"missing/figure.png"_qs)).isEmpty());
    }

    void modelDumpHoldsEveryLayer()
    {
        const ModelResultPtr result = runFixture("gpt2-tiny", "the model reads the text");
        const attn::ModelTrace& trace = *result->trace;
        QTemporaryDir dir;
        writeModelDump(trace, u"the model reads the text"_qs, u"gpt2-tiny"_qs, dir.path());
        const attn::Tensor weights = attn::readNpy(dir.filePath(u"weights.npy"_qs).toStdString());
        const std::size_t n = trace.tokenCount(), h = std::size_t(trace.config.heads);
        QCOMPARE(weights.shape, (std::vector<std::size_t>{trace.layerCount(), h, n, n}));
        for (std::size_t l = 0; l < trace.layerCount(); ++l)
            for (std::size_t i = 0; i < h * n * n; ++i)
                QCOMPARE(weights.data[l * h * n * n + i], trace.layers[l].weights.data[i]);
        const attn::Tensor hidden = attn::readNpy(dir.filePath(u"hidden.npy"_qs).toStdString());
        QCOMPARE(hidden.shape, trace.hidden.shape);
        QCOMPARE(hidden.data, trace.hidden.data);
        QFile file(dir.filePath(u"manifest.json"_qs));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject manifest = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonArray tokens = manifest[u"tokens"_qs].toArray();
        QCOMPARE(std::size_t(tokens.size()), n);
        for (std::size_t i = 0; i < n; ++i)
            QCOMPARE(tokens[qsizetype(i)].toObject()[u"id"_qs].toInt(), trace.tokenIds[i]);
        QCOMPARE(manifest[u"text"_qs].toString(), u"the model reads the text"_qs);
        QCOMPARE(std::size_t(manifest[u"next_token"_qs].toArray().size()), trace.nextToken.size());
        QVERIFY(!trace.nextToken.empty());
    }
};

ATTN_GUI_TEST_MAIN(TestModelViews)
#include "test_model_views.moc"
