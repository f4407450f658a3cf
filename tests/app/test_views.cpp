// The paint functions and the arithmetic behind them, without a window.
#include "gui_test_main.h"
#include "image_checks.h"

#include "views/colormap.h"
#include "views/display_weights.h"
#include "views/head_detail_view.h"
#include "views/heads_view.h"
#include "views/heatmap.h"
#include "views/paint_common.h"
#include "views/token_links_raster.h"
#include "views/text_record.h"
#include "views/token_links_view.h"
#include "views/view_registry.h"

#include <attn/engine.h>

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QSet>
#include <QTextLayout>

#include <array>
#include <functional>
#include <cmath>
#include <numeric>

namespace {

std::shared_ptr<const attn::Trace> traceOf(const QString& text, int heads = 4, int dk = 16)
{
    attn::Request request;
    request.text = text.toStdString();
    request.config.heads = heads;
    request.config.d_k = dk;
    request.backend = attn::BackendKind::Blas;
    static attn::Engine engine;
    return engine.run(request);
}

ViewOptions standardOptions()
{
    ViewOptions options;
    options.look = Appearance::standard();
    options.look.text = u"test"_qs;
    return options;
}

QImage render(ViewId id, const attn::Trace& trace, const ViewOptions& options, QSize size = QSize(900, 700))
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::magenta); // the paint must cover it
    QPainter painter(&image);
    viewKind(id).paint(painter, QRectF(QPointF(0, 0), QSizeF(size)), trace, options);
    painter.end();
    return image;
}

double luminance(QRgb c)
{
    return 0.2126 * qRed(c) + 0.7152 * qGreen(c) + 0.0722 * qBlue(c);
}

// One column (or, for a steep line, row) of a premultiplied image: the opacity it holds,
// summed, and where across it that opacity is centred.
struct Ink {
    double total = 0, centre = 0;
};

Ink inkAcross(const QImage& image, int at, bool column)
{
    Ink ink;
    double weighted = 0;
    for (int i = 0; i < (column ? image.height() : image.width()); ++i) {
        const double alpha = qAlpha(column ? image.pixel(at, i) : image.pixel(i, at)) / 255.0;
        ink.total += alpha;
        weighted += alpha * (i + 0.5);
    }
    ink.centre = ink.total > 0 ? weighted / ink.total : 0;
    return ink;
}

QString words(int count)
{
    const QStringList pool = {u"the"_qs, u"cat"_qs, u"sat"_qs, u"on"_qs, u"a"_qs, u"warm"_qs, u"mat"_qs, u"and"_qs, u"slept"_qs};
    QStringList out;
    for (int i = 0; i < count; ++i)
        out << pool[i % pool.size()];
    return out.join(u' ');
}

} // namespace

class TestViews : public QObject {
    Q_OBJECT
private slots:
    void colourMapsRiseSteadilyInLightness_data()
    {
        QTest::addColumn<int>("map");
        QTest::addColumn<bool>("rising");
        QTest::addColumn<bool>("darkPage");
        QTest::newRow("viridis") << int(ColorMapId::Viridis) << true << false;
        QTest::newRow("viridis on a dark page") << int(ColorMapId::Viridis) << true << true;
        QTest::newRow("cividis") << int(ColorMapId::Cividis) << true << false;
        QTest::newRow("greys (dark ink on white paper)") << int(ColorMapId::Greys) << false << false;
        // Strong weights stand out of a dark page rather than vanish into it.
        QTest::newRow("greys on a dark page (light on dark)") << int(ColorMapId::Greys) << true << true;
    }
    void colourMapsRiseSteadilyInLightness()
    {
        QFETCH(int, map);
        QFETCH(bool, rising);
        QFETCH(bool, darkPage);
        const ColorMap colours(ColorMapId(map), darkPage);
        double previous = luminance(colours.rgb(0.f));
        for (int i = 1; i <= 16; ++i) {
            const double now = luminance(colours.rgb(float(i) / 16.f));
            QVERIFY2(rising ? now > previous : now < previous, qPrintable(u"step "_qs + QString::number(i)));
            previous = now;
        }
    }

    // A heatmap's edge shows where its weakest cells take the page's colour (greys on white).
    void heatmapsAreFramedSoThatTheirEdgeShowsOnThePage()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs, 2);
        ViewOptions options = standardOptions();
        options.look.colorMap = ColorMapId::Greys;
        const QImage image = render(ViewId::Heads, *trace, options);
        const HeadsLayout layout = layoutHeads(QRectF(0, 0, 900, 700), *trace, options);
        const QRectF matrix = layout.matrices.front().rect;
        int framed = 0, rows = 0; // the frame's hairline covers the pixel of the heatmap's right edge
        for (int y = int(matrix.top()) + 2; y < int(matrix.bottom()) - 2; ++y, ++rows)
            framed += QColor(image.pixel(int(std::floor(matrix.right())), y)) == options.look.muted;
        QVERIFY(rows > 10);
        QCOMPARE(framed, rows);
    }

    // As the heatmaps say "Queries down, keys across.", the links say which side is which.
    void tokenLinksSayWhichSideIsWhichAndWhatOpacityMeans()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs, 2);
        ViewOptions options = standardOptions();
        options.look.interactive = false;
        bool said = false;
        for (const DrawnText& text : recordDrawnText(viewKind(ViewId::TokenLinks).paint, QSize(1400, 900), *trace, options))
            said = said || text.text.endsWith(u"Queries left, keys right; the stronger the weight, the more opaque its line."_qs);
        QVERIFY(said);
    }

    void greysPrintAsPureGrey()
    {
        const ColorMap greys(ColorMapId::Greys);
        for (int i = 0; i <= 10; ++i) {
            const QRgb c = greys.rgb(float(i) / 10.f);
            QCOMPARE(qRed(c), qGreen(c));
            QCOMPARE(qGreen(c), qBlue(c));
        }
    }

    void pruningKeepsStrongestLinksUpToShare_data()
    {
        QTest::addColumn<double>("share");
        QTest::addColumn<QList<float>>("expected");
        // Row 0.5, 0.3, 0.15, 0.05.
        QTest::newRow("100% keeps all") << 1.0 << QList<float>{0.5f, 0.3f, 0.15f, 0.05f};
        QTest::newRow("50% keeps the top one") << 0.5 << QList<float>{0.5f, 0.f, 0.f, 0.f};
        QTest::newRow("60% needs two") << 0.6 << QList<float>{0.5f, 0.3f, 0.f, 0.f};
        QTest::newRow("90% needs three") << 0.9 << QList<float>{0.5f, 0.3f, 0.15f, 0.f};
        QTest::newRow("0% still keeps the strongest") << 0.0 << QList<float>{0.5f, 0.f, 0.f, 0.f};
    }
    void pruningKeepsStrongestLinksUpToShare()
    {
        QFETCH(double, share);
        QFETCH(QList<float>, expected);
        // Shuffled order: pruning must not depend on position.
        std::vector<float> row = {0.15f, 0.5f, 0.05f, 0.3f};
        pruneRow(row.data(), int(row.size()), share);
        const std::vector<float> want = {expected[2], expected[0], expected[3], expected[1]};
        QCOMPARE(row, want);
    }

    void hidingFirstTokenRenormalisesEachRow()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs);
        WeightFilter filter;
        filter.hideFirst = true;
        const DisplayWeights weights(*trace, filter);
        QCOMPARE(weights.firstKey(), 1);
        for (int head = 0; head < weights.heads(); ++head)
            for (int q = weights.firstQuery(); q < weights.queries(); ++q) {
                const std::vector<float> row = weights.row(head, q);
                QCOMPARE(row[0], 0.f);
                const double sum = std::accumulate(row.begin() + 1, row.end(), 0.0);
                QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QString::number(sum)));
                // The ratio of two kept weights is unchanged.
                const float before1 = trace->weights.at(std::size_t(head), std::size_t(q), 1);
                const float before2 = trace->weights.at(std::size_t(head), std::size_t(q), 2);
                QVERIFY(std::abs(row[1] * before2 - row[2] * before1) < 1e-6f);
            }
    }

    // The tooltip spells out the weight the cell rounds: the float itself, read back exactly.
    void weightTooltipsSayTheTracesWeightExactly()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs);
        const float weight = trace->weights.at(2, 5, 1);
        const QString tip = weightToolTip(*trace, standardOptions(), 2, 5, 1);
        QVERIFY2(tip.startsWith(u"head 3 · query 6 "_qs + paintkit::quoted(u"mouse"_qs) + u" → key 2 "_qs
                                + paintkit::quoted(u"cat"_qs) + u"\nweight "_qs),
                 qPrintable(tip));
        QCOMPARE(tip.section(u' ', -1).toFloat(), weight);
        QVERIFY(!tip.contains(u"drawn as"_qs));

        ViewOptions hidden = standardOptions();
        hidden.filter.hideFirst = true;
        const QString renormalised = weightToolTip(*trace, hidden, 2, 5, 1);
        const float drawn = DisplayWeights(*trace, hidden.filter).value(2, 5, 1);
        QVERIFY2(renormalised.contains(u"\ndrawn as "_qs + paintkit::exactText(drawn) + u" (first token hidden"_qs),
                 qPrintable(renormalised));
    }

    void exactTextReadsBackAsTheSameFloat()
    {
        for (const float value : {0.1f, -0.00534412f, 1.f / 3.f, 3.4e38f, 1e-45f, -2.f}) {
            QString text = paintkit::exactText(value);
            text.replace(u'−', u'-');
            QCOMPARE(text.toFloat(), value);
        }
        QCOMPARE(paintkit::exactText(-0.5f), u"−0.5"_qs);
    }

    // An exported head detail keeps the hovered weight as text: it once read "weight
    // 0.000000" for 1.5e-09, alike for a tiny weight and a masked key.
    void headDetailSaysTheHoveredWeightExactlyAndWhetherTheMaskHidesIt()
    {
        attn::Request request;
        request.text = "The cat that chased the mouse was tired.";
        request.config.heads = 2;
        request.config.d_k = 8;
        request.config.causal = true;
        request.config.temperature = 0.05f;
        request.backend = attn::BackendKind::Blas;
        attn::Engine engine;
        const auto trace = engine.run(request);
        ViewOptions options = standardOptions();
        options.focus.head = 1;
        float weight = 1.f; // the head's smallest weight above 0
        for (int query = 0; query < int(trace->queryCount()); ++query)
            for (int key = 0; key <= query; ++key)
                if (const float w = trace->weights.at(1, std::size_t(query), std::size_t(key)); w > 0.f && w < weight) {
                    weight = w;
                    options.focus.hoverQuery = query;
                    options.focus.hoverKey = key;
                }
        QVERIFY2(weight < 5e-7f, qPrintable(QString::number(weight))); // six decimals would write 0.000000

        QString line = headDetailFacts(*trace, options).value(0);
        QVERIFY2(line.endsWith(u": weight "_qs + paintkit::exactText(weight)), qPrintable(line));

        options.focus.hoverQuery = 5;
        options.focus.hoverKey = 6;
        line = headDetailFacts(*trace, options).value(0);
        QVERIFY2(line.endsWith(u": weight 0 (the causal mask hides this key)"_qs), qPrintable(line));
    }

    // With the first token hidden the view draws renormalised weights; what it says are the
    // trace's, the drawn value named as such (the steps view, beside it, shows the trace's).
    void headDetailSaysTheTracesWeightsWhereTheFilterRenormalises()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs);
        ViewOptions options = standardOptions();
        options.filter.hideFirst = true;
        options.focus.head = 2;
        options.focus.hoverQuery = 5;
        options.focus.hoverKey = 1;
        options.focus.pinnedQueries = {5};
        const QStringList lines = headDetailFacts(*trace, options);
        QCOMPARE(lines.size(), 2);
        const float weight = trace->weights.at(2, 5, 1);
        const float drawn = DisplayWeights(*trace, options.filter).value(2, 5, 1);
        QVERIFY(drawn != weight);
        QVERIFY2(lines[0].endsWith(u": weight "_qs + paintkit::exactText(weight) + u", drawn as "_qs
                                   + paintkit::exactText(drawn) + u" (first token hidden, the rest renormalised)"_qs),
                 qPrintable(lines[0]));
        QVERIFY2(lines[1].contains(paintkit::isolated(u"cat"_qs) + u' ' + paintkit::weightText(weight)),
                 qPrintable(lines[1]));
        QVERIFY2(!lines[1].contains(paintkit::isolated(u"The"_qs)), qPrintable(lines[1])); // hidden
    }

    void weightTextNeverWritesAWeightAsExactlyZeroOrOneWhereItIsNot()
    {
        QCOMPARE(paintkit::weightText(0.f), u"0"_qs);
        QCOMPARE(paintkit::weightText(0.314f), u"0.31"_qs);
        QCOMPARE(paintkit::weightText(0.0314f), u"0.031"_qs);
        QCOMPARE(paintkit::weightText(0.0005f), u"0.001"_qs);
        QCOMPARE(paintkit::weightText(8.06e-06f), u"8.1e−6"_qs);
        QCOMPARE(paintkit::weightText(3.2e-09f), u"3.2e−9"_qs);
        QCOMPARE(paintkit::weightText(0.9999997f), u"1 − 3.0e−7"_qs); // nor one short of 1 as 1
        QCOMPARE(paintkit::weightText(1.f), u"1.00"_qs);
    }

    // 2,000 tokens spread the weights thin: the bar once read 0.001, 0.001, 0.001, 0.000, 0.00.
    // Its marks below the top are round (they once fell at quarters of the top: 0.21, 0.41,
    // 0.62), the top names the largest weight, and every label says its value and fits.
    void colourBarMarksAreRoundDistinctCloseAndFitTheirRoom()
    {
        const QFontMetricsF metrics(standardOptions().look.font);
        const qreal room = paintkit::colorBarWidth(standardOptions()) - 14 - 6 - 12;
        const double gap = 0.05;
        for (const int most : {2, 3, 5})
            for (const float vmax : {1.f, 0.82f, 0.072f, 0.04f, 0.0015f, 0.0004f, 1e-5f, 3e-8f}) {
                const QList<paintkit::ColorBarTick> ticks = paintkit::colorBarTicks(vmax, most, gap);
                QStringList labels;
                for (const paintkit::ColorBarTick& tick : ticks)
                    labels << tick.label;
                const QString all = QString::number(vmax) + u": "_qs + labels.join(u", "_qs);
                QVERIFY2(ticks.size() >= 2 && ticks.size() <= most + 2, qPrintable(all));
                QCOMPARE(ticks.front().value, 0.f);
                QCOMPARE(ticks.back().value, vmax);
                QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
                const double step = double(ticks[1].value);
                const double leading = step / std::pow(10.0, std::floor(std::log10(step) + 1e-6)); // step is a float
                for (int i = 0; i < ticks.size(); ++i) {
                    const double value = ticks[i].value;
                    const QString& label = ticks[i].label;
                    if (i + 1 < ticks.size()) { // a round mark: a whole number of steps of 1, 2 or 5 · 10^k
                        QVERIFY2(std::abs(value - step * i) <= 1e-6 * step, qPrintable(all));
                        QVERIFY2(value <= double(vmax) * (1 - gap) * (1 + 1e-6), qPrintable(all));
                    }
                    if (i == 1)
                        QVERIFY2(std::abs(leading - 1) < 1e-6 || std::abs(leading - 2) < 1e-6 || std::abs(leading - 5) < 1e-6,
                                 qPrintable(all));
                    // Within half a unit of the label's last digit (its minus sign read as C's).
                    const QString number = QString(label).replace(u'−', u'-');
                    const double unit = number.contains(u'e') ? std::pow(10.0, number.section(u'e', 1).toInt() - 1)
                                        : number.contains(u'.')  ? std::pow(10.0, -number.section(u'.', 1).size())
                                                                 : 1.0;
                    QVERIFY2(std::abs(number.toDouble() - value) <= 0.5 * unit * (1 + 1e-6), qPrintable(all));
                    QVERIFY2(metrics.horizontalAdvance(label) <= room, qPrintable(label));
                }
            }
        const auto labelsOf = [&](float vmax, int most) {
            QStringList labels;
            for (const paintkit::ColorBarTick& tick : paintkit::colorBarTicks(vmax, most, gap))
                labels << tick.label;
            return labels;
        };
        QCOMPARE(labelsOf(0.8234f, 5), (QStringList{u"0.0"_qs, u"0.2"_qs, u"0.4"_qs, u"0.6"_qs, u"0.823"_qs}));
        // The same largest weight reads alike on a bar with fewer marks.
        QCOMPARE(labelsOf(0.8234f, 2).last(), u"0.823"_qs);
        QCOMPARE(labelsOf(1.f, 5), (QStringList{u"0.0"_qs, u"0.2"_qs, u"0.4"_qs, u"0.6"_qs, u"0.8"_qs, u"1.0"_qs}));
        QCOMPARE(labelsOf(0.04f, 4), (QStringList{u"0.00"_qs, u"0.01"_qs, u"0.02"_qs, u"0.03"_qs, u"0.04"_qs}));
        QCOMPARE(labelsOf(1e-5f, 5).last(), u"1.0e−5"_qs);
        QCOMPARE(labelsOf(0.f, 5), QStringList{u"0"_qs});
        // Just above a round value, the marks are as many as below it, not fewer.
        QCOMPARE(labelsOf(0.0100001f, 5),
                 (QStringList{u"0.000"_qs, u"0.002"_qs, u"0.004"_qs, u"0.006"_qs, u"0.008"_qs, u"0.0100"_qs}));
        QCOMPARE(labelsOf(0.105f, 5), (QStringList{u"0.00"_qs, u"0.02"_qs, u"0.04"_qs, u"0.06"_qs, u"0.08"_qs, u"0.105"_qs}));
        // No gap asked: a round value at the top is still the top's one label.
        QStringList noGap;
        for (const paintkit::ColorBarTick& tick : paintkit::colorBarTicks(0.3f, 5, 0.0))
            noGap << tick.label;
        QCOMPARE(noGap, (QStringList{u"0.0"_qs, u"0.1"_qs, u"0.2"_qs, u"0.3"_qs}));
        // A bar too short for any mark between: 0 and the top.
        QStringList shortBar;
        for (const paintkit::ColorBarTick& tick : paintkit::colorBarTicks(0.68f, 1, 1.5))
            shortBar << tick.label;
        QCOMPARE(shortBar, (QStringList{u"0.0"_qs, u"0.680"_qs}));
    }

    // The label room is counted in characters: a presentation's 22 px type cut "because"
    // to "beca…" when the room was 90 pixels.
    void labelRoomGrowsWithTheType()
    {
        const auto trace = traceOf(u"The cat sat on the mat because it was warm"_qs);
        const QRect cells(0, 0, int(trace->keyCount()), int(trace->queryCount()));
        for (const Appearance& look : {Appearance::standard(), Appearance::forPresentation(Appearance::standard())}) {
            const QFontMetricsF metrics(look.font);
            QVERIFY2(paintkit::labelExtent(metrics, *trace, cells, 12) >= metrics.horizontalAdvance(u"because"_qs),
                     qPrintable(QString::number(look.font.pixelSize())));
        }
    }

    void modelTokensShowTheirSpaces()
    {
        QCOMPARE(paintkit::visibleTokenText(" was"), u"␣was"_qs);
        QCOMPARE(paintkit::visibleTokenText("a\n"), u"a\\n"_qs);
        QCOMPARE(paintkit::visibleTokenText("\v"), u"\\x0b"_qs); // was "�"
        QCOMPARE(paintkit::visibleTokenText("\r\x7f"), u"\\r\\x7f"_qs);
        QCOMPARE(paintkit::visibleTokenText("\xc2\x85"), u"\\x85"_qs); // U+0085, a C1 control
    }

    // A right-to-left text quoted in a line of left-to-right words leaves the line left to
    // right, the numbers after it in place: the title once read "heads · dₖ = 16 · all heads
    // 3 · ”…“", since the line took its direction from the Arabic.
    void quotedRightToLeftTextKeepsTheLineInOrder()
    {
        const QString arabic = u"القطة تجلس"_qs;
        const QString line = paintkit::quoted(arabic) + u"  ·  3 heads"_qs;
        QTextLayout layout(line, QFont());
        layout.beginLayout();
        const QTextLine laidOut = layout.createLine();
        layout.endLayout();
        const qreal three = laidOut.cursorToX(line.indexOf(u'3'));
        for (qsizetype i = line.indexOf(arabic); i < line.indexOf(arabic) + arabic.size(); ++i)
            QVERIFY2(laidOut.cursorToX(int(i)) < three, qPrintable(QString::number(i)));
        QVERIFY(laidOut.cursorToX(int(line.indexOf(u"heads"_qs))) > three);
        // Left-to-right text is left as it is: one run of type.
        QCOMPARE(paintkit::isolated(u"the cat"_qs), u"the cat"_qs);
    }

    // Overrides and isolates in the user's text would reorder what is drawn ("evil" as "live").
    void bidirectionalControlsAreShownNotObeyed()
    {
        const QString shown = paintkit::withoutControls(u"\u202Eevil\u2066x"_qs);
        QCOMPARE(shown, u"\uFFFDevil\uFFFDx"_qs);
    }

    // Thinned labels are said, in English ordinals ("every 2th token" once).
    void skippedLabelsAreSaidOnTheFigure()
    {
        QCOMPARE(paintkit::labelsNote(1, 1), QString());
        QCOMPARE(paintkit::labelsNote(2, 2), u"Labels: every 2nd token."_qs);
        QCOMPARE(paintkit::labelsNote(3, 1), u"Labels: every 3rd query."_qs);
        QCOMPARE(paintkit::labelsNote(11, 22), u"Labels: every 11th query, every 22nd key."_qs);
        QCOMPARE(paintkit::labelsNote(1, 101), u"Labels: every 101st key."_qs);
        // 30 tokens in 4 heatmaps of a 900 × 700 page: rows lower than a line of type.
        QString text;
        for (int i = 0; i < 30; ++i)
            text += u"word "_qs;
        const auto trace = traceOf(text, 4);
        const HeadsLayout layout = layoutHeads(QRectF(0, 0, 900, 700), *trace, standardOptions());
        QVERIFY(layout.leftSpace > 0);
        QVERIFY2(headsFootnote(layout, standardOptions(), 1.0).contains(u"Labels: every 2nd token."_qs),
                 qPrintable(headsFootnote(layout, standardOptions(), 1.0)));
        const auto few = traceOf(u"the cat sat"_qs, 2);
        const HeadsLayout roomy = layoutHeads(QRectF(0, 0, 900, 700), *few, standardOptions());
        QVERIFY(!headsFootnote(roomy, standardOptions(), 1.0).contains(u"Labels:"_qs));
    }

    void headsViewLaysOutOneHeatmapPerHead_data()
    {
        QTest::addColumn<int>("heads");
        for (int h : {1, 2, 6, 8, 12, 16})
            QTest::newRow(qPrintable(QString::number(h) + u" heads"_qs)) << h;
    }
    void headsViewLaysOutOneHeatmapPerHead()
    {
        QFETCH(int, heads);
        const auto trace = traceOf(u"The cat that chased the mouse under the old wooden table was tired."_qs, heads);
        const HeadsLayout layout = layoutHeads(QRectF(0, 0, 1200, 800), *trace, standardOptions());
        QCOMPARE(int(layout.matrices.size()), heads);
        for (std::size_t i = 0; i < layout.tiles.size(); ++i)
            for (std::size_t j = i + 1; j < layout.tiles.size(); ++j)
                QVERIFY(!layout.matrices[i].rect.intersects(layout.matrices[j].rect));
    }

    // An exported grid of heads is cut to what it covers: the matrices keep the size and
    // place they had on the full page, everything stays on the page, and a grid shaped
    // unlike the page (2 heads side by side, 4 in a square) leaves no empty band.
    void headsExportPageIsCutToTheFigure_data()
    {
        QTest::addColumn<int>("heads");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("filtered");
        const QString sentence = u"The quick brown fox jumps over the lazy dog"_qs;
        QTest::newRow("1 head") << 1 << sentence << false;
        QTest::newRow("2 heads: shorter") << 2 << sentence << false;
        QTest::newRow("4 heads: narrower") << 4 << sentence << false;
        QTest::newRow("12 heads") << 12 << sentence << false;
        QTest::newRow("1 head, a title wider than the grid")
            << 1 << u"The quick brown fox jumps over the lazy dog while the cat sleeps under the old wooden table"_qs << false;
        QTest::newRow("600 words: downsampled, a title longer than the page") << 4 << words(600) << false;
        QTest::newRow("2000 words, 1 head, filtered: a footnote wider than the grid") << 1 << words(2000) << true;
    }
    void headsExportPageIsCutToTheFigure()
    {
        QFETCH(int, heads);
        QFETCH(QString, text);
        QFETCH(bool, filtered);
        const auto trace = traceOf(text, heads);
        ViewOptions options = standardOptions();
        options.look.text = text;
        if (filtered) {
            options.filter.hideFirst = true;
            options.filter.keepShare = 0.5;
        }
        const QSize most(1400, 900);
        const QSize size = exportPageSize(ViewId::Heads, *trace, options);
        QVERIFY(size.width() <= most.width() && size.height() <= most.height());
        QVERIFY(size != most);

        const HeadsLayout full = layoutHeads(QRectF(QPointF(0, 0), QSizeF(most)), *trace, options);
        const HeadsLayout fitted = layoutHeads(QRectF(QPointF(0, 0), QSizeF(size)), *trace, options);
        QCOMPARE(int(fitted.matrices.size()), heads);
        const QRectF page(QPointF(0, 0), QSizeF(size));
        for (std::size_t head = 0; head < fitted.matrices.size(); ++head) {
            QCOMPARE(fitted.matrices[head].rect, full.matrices[head].rect);
            QVERIFY(page.contains(fitted.tiles[head].adjusted(0, 0, 0, fitted.bottomSpace)));
        }
        QVERIFY(page.contains(fitted.colorBar));
        QVERIFY(fitted.footnote.top() >= fitted.tiles.back().bottom() + fitted.bottomSpace);
        // The footnote is whole, and the title as whole as the full page allows.
        const QString note = headsFootnote(fitted, options, 1.0);
        QCOMPARE(note, headsFootnote(full, options, 1.0));
        // It names the axes, and says more where the grid is downsampled or filtered.
        QVERIFY(note.endsWith(u"Queries down, keys across."_qs));
        QCOMPARE(note == u"Queries down, keys across."_qs, trace->queryCount() < 100 && !filtered);
        QVERIFY(QFontMetricsF(options.look.font).horizontalAdvance(note) <= fitted.footnote.width());
        QVERIFY(size.width() >= paintkit::titledPageWidth(*trace, options, u"all heads"_qs, size.width(), most.width()));
    }

    // A title longer than the heads are wide takes two lines, quote and facts, rather than
    // widen the page: a presentation's figure had a third of blank page at its right.
    void aLongTitleTakesTwoLinesRatherThanWidenTheHeads()
    {
        const auto trace = traceOf(u"The cat sat on the mat because it was tired"_qs, 4);
        ViewOptions options = standardOptions();
        options.look = Appearance::forPresentation(options.look);
        options.look.text = u"The cat sat on the mat because it was tired"_qs;
        options.look.note = u"layer 1 of gpt2-tiny"_qs;
        const QSize size = exportPageSize(ViewId::Heads, *trace, options);
        QFont bold = options.look.font;
        bold.setBold(true);
        const qreal quoteLine = paintkit::pageWidthForLine(bold, paintkit::quoted(options.look.text));
        const HeadsLayout layout = layoutHeads(QRectF(QPointF(0, 0), QSizeF(size)), *trace, options);
        QRectF used = layout.colorBar;
        for (const QRectF& tile : layout.tiles)
            used |= tile;
        QVERIFY2(size.width() - used.right() < 40, qPrintable(QString::number(size.width() - used.right()) + u" px right of the heads"_qs));
        QVERIFY(size.width() >= quoteLine); // the quote stays whole on its line
    }

    // Where a second title line would cost the heads their labels (every other one named),
    // the title keeps one line on a wider page: a figure sized to a two-line title had been
    // laid out for one.
    void aFigureSizedForItsTitleNamesWhatTheFullPageNames()
    {
        const QString text = u"The cat sat on the mat because it was tired and wanted to sleep"_qs;
        attn::Request request;
        request.text = text.toStdString();
        request.config.heads = 4;
        request.config.causal = true;
        request.config.temperature = 2.f;
        const auto trace = attn::Engine().run(request);
        ViewOptions options = standardOptions();
        options.look = Appearance::forPresentation(options.look);
        options.look.text = text;
        const QSize most(1400, 900);
        const QSize size = exportPageSize(ViewId::Heads, *trace, options);
        const HeadsLayout full = layoutHeads(QRectF(QPointF(0, 0), QSizeF(most)), *trace, options);
        const HeadsLayout fitted = layoutHeads(QRectF(QPointF(0, 0), QSizeF(size)), *trace, options);
        QCOMPARE(headsFootnote(fitted, options, 1.0), headsFootnote(full, options, 1.0));
        QVERIFY(!headsFootnote(fitted, options, 1.0).contains(u"Labels"_qs));
    }

    // Figures made with other settings never carry the same title; what files or a model
    // decide (not the seed) is not named.
    void titlesNameEverySettingThatShapedTheWeights()
    {
        static attn::Engine engine;
        const auto factsOf = [](const std::function<void(attn::Request&)>& change) {
            attn::Request request;
            request.text = "I love you";
            request.config.heads = 2;
            request.config.d_k = 8;
            request.backend = attn::BackendKind::Blas;
            change(request);
            return paintkit::layerFacts(*engine.run(request), u"all heads"_qs);
        };
        QCOMPARE(factsOf([](attn::Request&) {}), u"  ·  2 heads  ·  dₖ = 8  ·  all heads"_qs);
        QCOMPARE(factsOf([](attn::Request& r) { r.config.seed = 1; }), u"  ·  2 heads  ·  dₖ = 8  ·  seed 1  ·  all heads"_qs);
        QCOMPARE(factsOf([](attn::Request& r) { r.config.d_model = 32; }),
                 u"  ·  2 heads  ·  dₖ = 8  ·  d_model = 32  ·  all heads"_qs);
        QCOMPARE(factsOf([](attn::Request& r) { r.config.positional = attn::Positional::None; }),
                 u"  ·  2 heads  ·  dₖ = 8  ·  no positional encoding  ·  all heads"_qs);
        // Weights and inputs both given: the seed made nothing, the files set d_model.
        const auto fromFiles = [](attn::Request& r) {
            r.config.seed = 7;
            r.config.d_model = 6;
            r.weights = std::make_shared<const attn::LayerWeights>(attn::LayerWeights::seeded(r.config));
            r.inputs = std::make_shared<const attn::Tensor>(attn::Tensor({3, 6}));
        };
        QCOMPARE(factsOf(fromFiles), u"  ·  2 heads  ·  dₖ = 8  ·  all heads"_qs);
    }

    // Many settings in presentation type: the sentence keeps a line of its own, whole, and
    // the facts follow on the next; few settings keep one line.
    void aTitleWithManyFactsGivesTheSentenceALineOfItsOwn()
    {
        attn::Request request;
        request.text = "The quick brown fox jumps over the lazy dog";
        request.config.heads = 6;
        request.config.d_k = 12;
        request.config.d_v = 5;
        request.config.scaling = attn::Scaling::None;
        request.config.temperature = 0.5f;
        request.config.causal = true;
        request.backend = attn::BackendKind::Blas;
        static attn::Engine engine;
        const auto many = engine.run(request);
        ViewOptions options;
        options.look = Appearance::forPresentation(Appearance::standard());
        options.look.text = QString::fromStdString(request.text);
        const QSize page(1280, 700);
        const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::Heads).paint, page, *many, options);
        QVERIFY(texts.size() >= 2);
        QCOMPARE(texts[0].text, u"“The quick brown fox jumps over the lazy dog”"_qs);
        QVERIFY2(texts[1].text.startsWith(u"6 heads  ·  dₖ = 12  ·  dᵥ = 5"_qs), qPrintable(texts[1].text));
        QVERIFY(texts[1].rect.top() >= texts[0].rect.bottom() - 0.5);
        QFont bold = options.look.font;
        bold.setBold(true);
        const qreal titleLine = QFontMetricsF(bold).height();
        QVERIFY(paintkit::pageContent(QRectF(QPointF(0, 0), QSizeF(page)), *many, options, u"all heads"_qs).top()
                >= 2 * titleLine);

        const auto few = traceOf(u"The quick brown fox jumps over the lazy dog"_qs, 6, 12);
        const QList<DrawnText> oneLine = recordDrawnText(viewKind(ViewId::Heads).paint, page, *few, options);
        QVERIFY2(oneLine[0].text.endsWith(u"6 heads  ·  dₖ = 12  ·  all heads"_qs), qPrintable(oneLine[0].text));
    }

    // A 720p slide of four heads of 14 tokens in presentation type: the grid is as wide as
    // the page, and its cells grow taller (by less than half) to name every query.
    void headsCellsGrowAlongAnAxisWithRoomToNameEveryToken()
    {
        const auto trace = traceOf(u"The cat that chased the mouse under the old wooden table was tired."_qs, 4, 16);
        ViewOptions options;
        options.look = Appearance::forPresentation(Appearance::standard());
        options.look.text = u"The cat"_qs;
        const HeadsLayout layout = layoutHeads(QRectF(0, 0, 1280, 620), *trace, options);
        QCOMPARE(layout.columns, 4);
        const MatrixGeometry& matrix = layout.matrices.front();
        QVERIFY2(matrix.cellHeight() > matrix.cellWidth(), qPrintable(QString::number(matrix.cellHeight())));
        QVERIFY(matrix.cellHeight() <= 1.5 * matrix.cellWidth());
        QCOMPARE(paintkit::labelEvery(matrix.cellHeight(), options), 1);
        QCOMPARE(paintkit::labelsNote(matrix, options, layout.leftSpace, layout.bottomSpace), u"Labels: every 2nd key."_qs);
    }

    void countsInTitlesAreSingularForOne()
    {
        QCOMPARE(paintkit::countOf(1, u"head"_qs), u"1 head"_qs);
        QCOMPARE(paintkit::countOf(4, u"head"_qs), u"4 heads"_qs);
        QCOMPARE(paintkit::countOf(0, u"layer"_qs), u"0 layers"_qs);
    }

    void headColoursNeverRepeat_data()
    {
        QTest::addColumn<int>("heads");
        QTest::newRow("8") << 8;
        QTest::newRow("12") << 12;
        QTest::newRow("16") << 16;
    }
    void headColoursNeverRepeat()
    {
        QFETCH(int, heads);
        QSet<QRgb> colours;
        for (int h = 0; h < heads; ++h)
            colours.insert(headColor(h, heads, false).rgb());
        QCOMPARE(int(colours.size()), heads);
        // Neighbouring hues are at least a full share of the wheel apart.
        const double step = 360.0 / heads;
        for (int h = 1; h < heads; ++h) {
            const double a = headColor(h - 1, heads, false).hueF() * 360, b = headColor(h, heads, false).hueF() * 360;
            const double gap = std::min(std::abs(a - b), 360 - std::abs(a - b));
            QVERIFY2(gap > step * 0.9, qPrintable(QString::number(gap)));
        }
    }

    void largeMatricesAreDownsampledKeepingTheirPeaks()
    {
        const auto trace = traceOf(words(600), 1);
        const DisplayWeights weights(*trace, WeightFilter{});
        const QRect cells = visibleCells(weights, QRect());
        const CellBlocks blocks = blockMaxima(weights, 0, cells, QSize(100, 100));
        QVERIFY(blocks.downsampled());
        QVERIFY(blocks.width <= 100 && blocks.height <= 100);
        const float peak = *std::max_element(trace->weights.data.begin(), trace->weights.data.end());
        QCOMPARE(blocks.max, peak);
        // A zoomed region small enough is shown cell by cell.
        const CellBlocks zoomed = blockMaxima(weights, 0, QRect(10, 20, 50, 40), QSize(100, 100));
        QVERIFY(!zoomed.downsampled());
        QCOMPARE(zoomed.values[0], trace->weights.at(0, 20, 10));
    }

    void eachDownsampledBlockHoldsTheLargestOfItsCells()
    {
        const auto trace = traceOf(words(103), 2); // 103 = 7 · 14 + 5: the last blocks are partial
        const DisplayWeights weights(*trace, WeightFilter{});
        const QRect cells(3, 2, 97, 101);
        const CellBlocks blocks = blockMaxima(weights, 1, cells, QSize(14, 20));
        QCOMPARE(QSize(blocks.stepX, blocks.stepY), QSize(7, 6));
        for (int y = 0; y < blocks.height; ++y)
            for (int x = 0; x < blocks.width; ++x) {
                float largest = 0.f;
                for (int q = cells.top() + y * blocks.stepY; q <= std::min(cells.bottom(), cells.top() + (y + 1) * blocks.stepY - 1); ++q)
                    for (int k = cells.left() + x * blocks.stepX; k <= std::min(cells.right(), cells.left() + (x + 1) * blocks.stepX - 1); ++k)
                        largest = std::max(largest, trace->weights.at(1, std::size_t(q), std::size_t(k)));
                QCOMPARE(blocks.values[std::size_t(y * blocks.width + x)], largest);
            }
    }

    void rasterLinesHaveTheirOpacityWidthAndPlace_data()
    {
        QTest::addColumn<QPointF>("from");
        QTest::addColumn<QPointF>("to");
        QTest::addColumn<double>("width");
        QTest::addColumn<float>("alpha");
        QTest::newRow("thin, across") << QPointF(10.3, 20.2) << QPointF(190.7, 70.9) << 1.0 << 0.6f;
        QTest::newRow("thin, falling") << QPointF(5.5, 150.1) << QPointF(195.2, 30.6) << 1.0 << 0.15f;
        QTest::newRow("thin, steep") << QPointF(30.4, 5.2) << QPointF(80.1, 190.6) << 1.0 << 0.4f;
        QTest::newRow("wide, across") << QPointF(3.0, 40.0) << QPointF(197.0, 160.0) << 2.5 << 0.8f;
        QTest::newRow("wide, steep") << QPointF(150.0, 197.0) << QPointF(60.0, 2.0) << 3.0 << 1.0f;
        QTest::newRow("beyond the edges") << QPointF(-5000.0, -3000.0) << QPointF(5200.0, 3100.0) << 1.0 << 1.0f;
    }
    void rasterLinesHaveTheirOpacityWidthAndPlace()
    {
        QFETCH(QPointF, from);
        QFETCH(QPointF, to);
        QFETCH(double, width);
        QFETCH(float, alpha);
        const QColor color(200, 40, 90);
        const QImage image = rasterizeLines(QSize(200, 200), {{from, to, color.rgb(), alpha}}, width);
        QCOMPARE(image.format(), QImage::Format_ARGB32_Premultiplied);
        const bool steep = std::abs(to.y() - from.y()) > std::abs(to.x() - from.x());
        const QLineF line = steep ? QLineF(from.y(), from.x(), to.y(), to.x()) : QLineF(from, to);
        const double slope = line.dy() / line.dx();
        // Thin lines put their opacity into each column whatever the slope (Wu's lines);
        // wider ones cover their band, which a column cuts wider than the line.
        const double perColumn = width <= 1 ? alpha : alpha * width * std::sqrt(1 + slope * slope);
        const double halfBand = (width <= 1 ? 1.0 : width * std::sqrt(1 + slope * slope) / 2) + 1;
        int checked = 0;
        for (int at = 0; at < 200; ++at) {
            const double middle = at + 0.5;
            const double centre = line.y1() + slope * (middle - line.x1());
            if (middle < std::min(line.x1(), line.x2()) + 1 || middle > std::max(line.x1(), line.x2()) - 1
                || centre - halfBand < 0 || centre + halfBand > 200)
                continue; // the ends and the edges of the image cut the line short
            const Ink ink = inkAcross(image, at, !steep);
            QVERIFY2(std::abs(ink.total - perColumn) < 3.0 / 255, qPrintable(QString::number(at)));
            QVERIFY2(std::abs(ink.centre - centre) < 0.05, qPrintable(QString::number(at)));
            ++checked;
        }
        QVERIFY(checked > 100);
        // Wherever the line is, it has its colour.
        for (int y = 0; y < 200; ++y)
            for (int x = 0; x < 200; ++x) {
                const QColor pixel = QColor::fromRgba(qUnpremultiply(image.pixel(x, y)));
                if (pixel.alpha() >= 64)
                    QVERIFY(std::abs(pixel.red() - color.red()) + std::abs(pixel.green() - color.green())
                                + std::abs(pixel.blue() - color.blue())
                            <= 6);
            }
        // Nothing beyond the line's band.
        QCOMPARE(rasterizeLines(QSize(200, 200), {{QPointF(-50, 10), QPointF(-10, 190), color.rgb(), 1.f}}, width)
                     .pixel(0, 100),
                 0u);
    }

    void rasterLinesBlendInTheirOrder()
    {
        // Horizontal lines through pixel centres: each covers exactly its row.
        const auto across = [](QRgb color, float alpha) {
            return RasterLine{QPointF(0, 5.5), QPointF(20, 5.5), color, alpha};
        };
        const QRgb red = qRgb(255, 0, 0), blue = qRgb(0, 0, 255);
        QCOMPARE(rasterizeLines(QSize(20, 10), {across(red, 1.f), across(blue, 1.f)}, 1).pixel(10, 5), blue);
        QCOMPARE(rasterizeLines(QSize(20, 10), {across(blue, 1.f), across(red, 1.f)}, 1).pixel(10, 5), red);
        // Source-over: half over half covers three quarters; the row above stays clear.
        const QImage twice = rasterizeLines(QSize(20, 10), {across(red, 0.5f), across(blue, 0.5f)}, 1);
        QCOMPARE(qAlpha(twice.pixel(10, 5)), 191);
        QCOMPARE(qBlue(twice.pixel(10, 5)), 128);
        QCOMPARE(qRed(twice.pixel(10, 5)), 64);
        QCOMPARE(twice.pixel(10, 4), 0u);
    }

    void rasterLinesLookLikeTheVectorLinesOfAnSvg_data()
    {
        QTest::addColumn<double>("width");
        QTest::newRow("screen") << 1.0;
        QTest::newRow("pinned, or a 2× export") << 2.0;
    }
    void rasterLinesLookLikeTheVectorLinesOfAnSvg()
    {
        // Token links' lines: from a column of queries to a column of keys, in head colours.
        QFETCH(double, width);
        const QSize size(400, 300);
        std::vector<RasterLine> lines;
        for (int i = 0; i < 300; ++i)
            lines.push_back({QPointF(20, 10 + (i * 37) % 280 + 0.3), QPointF(380, 10 + (i * 91) % 280 + 0.7),
                             headColor(i / 40, 8, false).rgb(), 0.15f + float(i % 7) / 8.f});
        QImage vector(size, QImage::Format_ARGB32_Premultiplied);
        vector.fill(Qt::transparent);
        QPainter painter(&vector);
        painter.setRenderHint(QPainter::Antialiasing);
        for (const RasterLine& line : lines) {
            QColor color = QColor::fromRgb(line.color);
            color.setAlphaF(line.alpha);
            painter.setPen(QPen(color, width, Qt::SolidLine, Qt::FlatCap));
            painter.drawLine(line.from, line.to);
        }
        painter.end();
        const QImage raster = rasterizeLines(size, lines, width);
        // Compared as a reader sees them: averaged over small squares.
        constexpr int square = 10;
        double difference = 0;
        int squares = 0;
        for (int top = 0; top < size.height(); top += square)
            for (int left = 0; left < size.width(); left += square) {
                std::array<double, 4> mean{};
                for (int y = top; y < top + square; ++y)
                    for (int x = left; x < left + square; ++x) {
                        const QRgb a = raster.pixel(x, y), b = vector.pixel(x, y);
                        mean[0] += qRed(a) - qRed(b);
                        mean[1] += qGreen(a) - qGreen(b);
                        mean[2] += qBlue(a) - qBlue(b);
                        mean[3] += qAlpha(a) - qAlpha(b);
                    }
                for (double channel : mean)
                    difference += std::abs(channel) / (square * square);
                ++squares;
            }
        difference /= 4.0 * squares;
        QVERIFY2(difference < 0.5, qPrintable(QString::number(difference)));
    }

    void everyViewPaintsAnyText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("view");
        const QList<std::pair<const char*, QString>> texts = {
            {"empty", QString()},
            {"emoji", u"I ❤️ 🐱 and 👍🏽 👨‍👩‍👧!"_qs},
            {"Arabic", u"القطة التي طاردت الفأر كانت متعبة."_qs},
            {"Chinese", u"追老鼠的猫很累。"_qs},
            {"2000 words", words(2000)},
        };
        for (const auto& [name, text] : texts)
            for (const ViewKind& kind : viewKinds())
                QTest::newRow(qPrintable(QString::fromLatin1(name) + u", "_qs + kind.key)) << text << int(kind.id);
    }
    void everyViewPaintsAnyText()
    {
        QFETCH(QString, text);
        QFETCH(int, view);
        const auto trace = traceOf(text, 2);
        const QImage image = render(ViewId(view), *trace, standardOptions());
        QVERIFY(image.pixel(0, 0) != qRgb(255, 0, 255)); // the page was painted
        QVERIFY(distinctColours(image, 3) > 2);             // a hint or a figure, not a blank page
    }

    void emptyTextShowsAHintInsteadOfAxes()
    {
        const auto trace = traceOf(QString());
        QVERIFY(layoutHeads(QRectF(0, 0, 800, 600), *trace, standardOptions()).empty);
        QVERIFY(layoutHeadDetail(QRectF(0, 0, 800, 600), *trace, standardOptions()).empty);
        QVERIFY(layoutTokenLinks(QRectF(0, 0, 800, 600), *trace, standardOptions()).empty);
    }

    void hoverAndPinsShowInThePicture()
    {
        const auto trace = traceOf(u"The cat that chased the mouse was tired."_qs);
        ViewOptions plain = standardOptions();
        ViewOptions pinned = plain;
        pinned.focus.pinnedQueries = {3};
        pinned.focus.hoverQuery = 2;
        pinned.focus.hoverKey = 1;
        for (const ViewKind& kind : viewKinds())
            QVERIFY2(render(kind.id, *trace, plain) != render(kind.id, *trace, pinned), qPrintable(kind.key));
    }

    // A pinned row's frame has a halo of the page's colour: on viridis's dark purple a red
    // frame alone once had a contrast of about 3:1, a black one 1.3:1.
    void selectionFramesStandOutOfDarkCells()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 1);
        ViewOptions options = standardOptions();
        options.focus.pinnedQueries = {3};
        const QImage image = render(ViewId::Heads, *trace, options);
        const HeadsLayout layout = layoutHeads(QRectF(0, 0, 900, 700), *trace, options);
        const QRectF row = layout.matrices.front().rowRect(3);
        const int x = int(row.center().x());
        bool halo = false;
        for (int y = int(row.top()) - 3; y < int(row.top()); ++y)
            halo = halo || image.pixel(x, y) == options.look.background.rgb();
        QVERIFY(halo);
        bool frame = false;
        for (int y = int(row.top()) - 2; y <= int(row.top()) + 2; ++y)
            frame = frame || image.pixel(x, y) == options.look.accent.rgb();
        QVERIFY(frame);
    }

    // On screen the token links name the selected head in the highlight colour, as the
    // heads view does over its heatmap (Page Up and Page Down once changed nothing there);
    // a figure marks no head.
    void tokenLinksNameTheSelectedHeadInTheHighlightOnScreen()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 3);
        ViewOptions options = standardOptions();
        options.focus.head = 1;
        const auto accentIn = [&](const QImage& image, int head) {
            const QRect swatch = layoutTokenLinks(QRectF(0, 0, 900, 700), *trace, options).swatches[std::size_t(head)].toRect();
            for (int y = swatch.top(); y <= swatch.bottom(); ++y)
                for (int x = swatch.left() + 14; x <= swatch.right(); ++x) // the name, right of the box
                    if (image.pixel(x, y) == options.look.accent.rgb())
                        return true;
            return false;
        };
        QVERIFY(!accentIn(render(ViewId::TokenLinks, *trace, options), 1));
        options.look.interactive = true;
        const QImage screen = render(ViewId::TokenLinks, *trace, options);
        QVERIFY(accentIn(screen, 1));
        QVERIFY(!accentIn(screen, 0));
        QVERIFY(!accentIn(screen, 2));
    }

    // The unpin button is for the screen; a figure with a pinned token has none.
    void figuresOfPinnedLinksHaveNoButton()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 2);
        ViewOptions options = standardOptions();
        options.focus.pinnedQueries = {2};
        QVERIFY(layoutTokenLinks(QRectF(0, 0, 900, 700), *trace, options).unpin.isNull());
        options.look.interactive = true;
        QVERIFY(!layoutTokenLinks(QRectF(0, 0, 900, 700), *trace, options).unpin.isNull());
    }

    // The head detail spells out the selected cell's weight, as it does the hovered one's:
    // a cell reached with the arrow keys has no pointer over it.
    void headDetailSaysTheSelectedCellsWeight()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 2);
        ViewOptions options = standardOptions();
        options.focus.pinnedQueries = {2};
        options.focus.selectedKey = 1;
        const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::HeadDetail).paint, QSize(900, 700), *trace, options);
        QString drawn; // the recorder gets a line in runs, split where the isolates are
        for (const DrawnText& t : texts)
            drawn += t.text;
        const QString expected = u"(#2): weight "_qs + paintkit::exactText(trace->weights.at(0, 2, 1));
        QVERIFY2(drawn.contains(expected), qPrintable(drawn));
    }

    // A weight of 0 that the causal mask forces and one that softmax gives look alike in
    // the colour of 0: the heatmaps hatch the masked cells over the page's colour instead,
    // and the footnote says what the hatching means.
    void heatmapsHatchTheCellsTheCausalMaskHides()
    {
        attn::Request request;
        request.text = "The cat sat on the mat.";
        request.config.heads = 2;
        request.config.causal = true;
        request.backend = attn::BackendKind::Blas;
        attn::Engine engine;
        const auto causal = engine.run(request);
        request.config.causal = false;
        const auto open = engine.run(request);
        const ViewOptions options = standardOptions();
        const QSize page(900, 700);
        const HeadDetailLayout layout = layoutHeadDetail(QRectF(QPointF(0, 0), QSizeF(page)), *causal, options);
        const QImage masked = render(ViewId::HeadDetail, *causal, options, page);
        const QImage unmasked = render(ViewId::HeadDetail, *open, options, page);
        const QRgb zero = ColorMap(options.look.colorMap).rgb(0.f);
        const auto pixelsOf = [](const QImage& image, QRectF cell) {
            QSet<QRgb> colours;
            const QRect inner = cell.adjusted(2, 2, -2, -2).toAlignedRect();
            for (int y = inner.top(); y <= inner.bottom(); ++y)
                for (int x = inner.left(); x <= inner.right(); ++x)
                    colours.insert(image.pixel(x, y));
            return colours;
        };
        // Query 2 may not see key 4: the page's colour and the hatching's, nothing else.
        const QSet<QRgb> hidden = pixelsOf(masked, layout.matrix.cellRect(4, 2));
        QVERIFY(hidden.contains(options.look.background.rgb()));
        QCOMPARE(hidden.size(), 2);
        QVERIFY(!hidden.contains(zero));
        // Key 1 it sees: one colour, the weight's. Without the mask no cell is hatched.
        QCOMPARE(pixelsOf(masked, layout.matrix.cellRect(1, 2)).size(), 1);
        QCOMPARE(pixelsOf(unmasked, layout.matrix.cellRect(4, 2)).size(), 1);

        QString causalText, openText;
        for (const DrawnText& t : recordDrawnText(viewKind(ViewId::Heads).paint, page, *causal, options))
            causalText += t.text;
        for (const DrawnText& t : recordDrawnText(viewKind(ViewId::Heads).paint, page, *open, options))
            openText += t.text;
        QVERIFY2(causalText.contains(paintkit::maskedCellsNote()), qPrintable(causalText));
        QVERIFY(!openText.contains(paintkit::maskedCellsNote()));
    }

    // Presentation's thick lines include the links: they were one pixel on a projector.
    void linkLinesThickenWithTheLook()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 2);
        ViewOptions thin = standardOptions();
        ViewOptions thick = thin;
        thick.look.lineScale = 2.0;
        const auto ink = [&trace](const ViewOptions& options) {
            const QImage image = render(ViewId::TokenLinks, *trace, options);
            const QRgb background = options.look.background.rgb();
            qint64 painted = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = image.width() / 3; x < 2 * image.width() / 3; ++x) // between the words: lines only
                    painted += image.pixel(x, y) != background;
            return painted;
        };
        const qint64 one = ink(thin), two = ink(thick);
        QVERIFY2(two > 1.25 * one, qPrintable(QString::number(one) + u" and "_qs + QString::number(two)));
    }

    // Rows lower than a line carry every k-th label, centred on its row: the first and last
    // once reached half a line out of the rows, the last over the footnote.
    void sparseLinkLabelsStayOffTheLegendAndTheFootnote()
    {
        for (int count = 200; count < 212; ++count) {
            const auto trace = traceOf(words(count), 1, 4);
            const QSize page(900, 500);
            const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::TokenLinks).paint, page, *trace, standardOptions());
            // Neighbouring labels may share a tenth of a line (labelEvery's rule); the legend
            // ("head 1") and the footnote ("… too faint to draw.") nothing.
            QStringList problems = overlappingTexts(texts, page);
            problems.removeIf([](const QString& p) { return !p.contains(u"head 1"_qs) && !p.contains(u"too faint"_qs); });
            QVERIFY2(problems.isEmpty(), qPrintable(QString::number(count) + u" words: "_qs + problems.mid(0, 3).join(u"; "_qs)));
        }
    }

    // A hovered query's name, drawn whatever the every-k-th rule, was printed over the
    // sampled name beside it ("mouse" over "cat"); the sampled one gives way.
    void aHoveredQuerysNameIsNotPrintedOverASampledOne()
    {
        const auto trace = traceOf(words(200), 1, 4);
        const QSize page(900, 500);
        for (const int hovered : {101, 102, 150}) {
            ViewOptions options = standardOptions();
            options.focus.hoverQuery = hovered;
            const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::TokenLinks).paint, page, *trace, options);
            const QString name = paintkit::tokenText(*trace, hovered, false);
            QStringList problems = overlappingTexts(texts, page, 2.0);
            problems.removeIf([&](const QString& p) { return !p.contains(u"“"_qs + name + u"”"_qs); });
            QVERIFY2(problems.isEmpty(), qPrintable(name + u": "_qs + problems.mid(0, 3).join(u"; "_qs)));
        }
        // Where every row is named, though a little closer than a line, the names beside a
        // hovered one stay.
        QStringList unique;
        for (int i = 0; i < 30; ++i)
            unique << u"w"_qs + QString::number(i);
        const auto sentence = traceOf(unique.join(u' '), 1, 4);
        ViewOptions options = standardOptions();
        options.focus.hoverQuery = 10;
        int closerThanALine = 0;
        for (int height = 300; height <= 900; height += 10) {
            const QSize page(900, height);
            const qreal row = layoutTokenLinks(QRectF(QPointF(0, 0), QSizeF(page)), *sentence, options).rowHeight;
            if (paintkit::labelEvery(row, options) > 1 || row >= QFontMetricsF(options.look.font).height())
                continue;
            ++closerThanALine;
            const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::TokenLinks).paint, page, *sentence, options);
            for (const int beside : {9, 11}) {
                const QString name = paintkit::tokenText(*sentence, beside, false);
                QVERIFY2(std::count_if(texts.begin(), texts.end(), [&](const DrawnText& t) { return t.text == name; }) == 2,
                         qPrintable(name + u" is not named as query and key at a page "_qs + QString::number(height) + u" high"_qs));
            }
        }
        QVERIFY2(closerThanALine > 0, "no page had every row named closer than a line; this test needs one");
    }

    // A figure whose rows would have less than three lines is refused (no room); the window
    // draws what fits, with its legend, where heads can be hidden to make room ("No room"
    // took the legend away too).
    void theWindowsLinksDrawWhatFitsWhereAFigureHasNoRoom()
    {
        const auto trace = traceOf(u"The cat that chased the mouse under the old wooden table was tired."_qs, 64, 1);
        const ViewOptions figure = standardOptions();
        ViewOptions window = figure;
        window.look.interactive = true;
        int refusedButShown = 0;
        for (int height = 300; height <= 700; height += 10) {
            const QRectF page(0, 0, 640, height);
            const bool figureEmpty = layoutTokenLinks(page, *trace, figure).empty;
            const TokenLinksLayout shown = layoutTokenLinks(page, *trace, window);
            QVERIFY2(figureEmpty || !shown.empty, "the window showed less than a figure");
            if (figureEmpty && !shown.empty) {
                ++refusedButShown;
                QCOMPARE(int(shown.swatches.size()), 64);
            }
        }
        QVERIFY2(refusedButShown > 0, "no page where a figure has no room but the window draws; this test needs one");
    }

    // The faintest links are drawn first and the strongest last, whatever their head: drawn
    // head after head, a page of even weights came out in the last head's colour alone.
    void noHeadCoversTheOthersLinksForBeingDrawnLast()
    {
        QStringList text;
        for (int i = 0; i < 120; ++i)
            text << u"w"_qs + QString::number(i);
        attn::Request request;
        request.text = text.join(u' ').toStdString();
        request.config.heads = 4;
        request.config.temperature = 50.f; // near even: the heads' links alike
        const auto trace = attn::Engine().run(request);
        const QImage image = render(ViewId::TokenLinks, *trace, standardOptions());
        std::array<int, 4> nearest{};
        for (int y = 100; y < image.height() - 100; y += 3)
            for (int x = image.width() / 3; x < 2 * image.width() / 3; x += 3) {
                const QColor c = image.pixelColor(x, y);
                if (c.saturationF() < 0.3)
                    continue; // the page, or lines blended to grey
                int best = 0;
                for (int head = 1; head < 4; ++head)
                    if (std::abs(c.hueF() - headColor(head, 4, false).hueF()) < std::abs(c.hueF() - headColor(best, 4, false).hueF()))
                        best = head;
                ++nearest[std::size_t(best)];
            }
        const int all = std::accumulate(nearest.begin(), nearest.end(), 0);
        QVERIFY2(all > 1000, "few coloured pixels; this test needs a page of links");
        QVERIFY2(nearest[3] < all / 2, qPrintable(u"the last head has "_qs + QString::number(nearest[3]) + u" of "_qs
                                                  + QString::number(all) + u" coloured pixels"_qs));
    }

    // A filter changes what a figure draws, so each figure that draws weights says so: the
    // token links once said only that faint links were left out, whatever "Keep links" was.
    void everyWeightFigureSaysWhatTheFilterChanged()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 2);
        ViewOptions options = standardOptions();
        options.filter.hideFirst = true;
        options.filter.keepShare = 0.4;
        options.focus.pinnedQueries = {2};
        for (const ViewId id : {ViewId::Heads, ViewId::HeadDetail, ViewId::TokenLinks}) {
            QString drawn;
            for (const DrawnText& t : recordDrawnText(viewKind(id).paint, QSize(1400, 800), *trace, options))
                drawn += t.text;
            QVERIFY2(drawn.contains(u"First token hidden, rows renormalised."_qs), qPrintable(viewKind(id).key + drawn));
            QVERIFY2(drawn.contains(u"Each row keeps its strongest links up to 40% of its weight."_qs),
                     qPrintable(viewKind(id).key + drawn));
        }
    }

    // Heatmaps too small for token names leave them out, and the footnote says so (it once
    // said only "Queries down, keys across." over heatmaps without a name).
    void headsTooSmallForNamesSaySo()
    {
        const auto trace = traceOf(words(40), 12);
        const ViewOptions options = standardOptions();
        const HeadsLayout small = layoutHeads(QRectF(0, 0, 700, 450), *trace, options);
        QCOMPARE(small.leftSpace, 0.0);
        QVERIFY(headsFootnote(small, options, 1.0).contains(u"Too small for token names"_qs));
        const HeadsLayout large = layoutHeads(QRectF(0, 0, 2400, 1600), *trace, options);
        QVERIFY(large.leftSpace > 0);
        QVERIFY(!headsFootnote(large, options, 1.0).contains(u"Too small for token names"_qs));
    }

    // One form of head title in a figure: on pages where "head 10" no longer fits over its
    // heatmap but "head 9" does, 64 heads read "head 1"…"head 9" and then "10"…"64".
    void everyHeadIsTitledInOneForm_data()
    {
        QTest::addColumn<QSize>("page");
        for (const int width : {700, 900, 1100, 1400, 1800})
            QTest::addRow("%d wide", width) << QSize(width, width * 2 / 3);
    }
    void everyHeadIsTitledInOneForm()
    {
        QFETCH(QSize, page);
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 64, 4);
        const QList<DrawnText> texts = recordDrawnText(viewKind(ViewId::Heads).paint, page, *trace, standardOptions());
        int words = 0, numbers = 0;
        for (int head = 1; head <= 64; ++head)
            for (const DrawnText& t : texts) {
                words += t.text == u"head "_qs + QString::number(head) ? 1 : 0;
                numbers += t.text == QString::number(head) ? 1 : 0;
            }
        QVERIFY2((words == 64 && numbers == 0) || (words == 0 && numbers >= 64),
                 qPrintable(QString::number(words) + u" with the word, "_qs + QString::number(numbers) + u" without"_qs));
    }

    // A short sentence's links figure is as tall as its rows at a figure's widest spacing,
    // five lines of type: "I love" once left 60% of its page empty.
    void aLinksFigureIsAsTallAsItsRows_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("two tokens") << u"I love"_qs;
        QTest::newRow("fourteen tokens") << u"The cat that chased the mouse under the old wooden table was tired."_qs;
    }
    void aLinksFigureIsAsTallAsItsRows()
    {
        QFETCH(QString, text);
        const auto trace = traceOf(text);
        const ViewOptions options = standardOptions();
        const QSize page = exportPageSize(ViewId::TokenLinks, *trace, options);
        const TokenLinksLayout fitted = layoutTokenLinks(QRectF(QPointF(0, 0), QSizeF(page)), *trace, options);
        const qreal widest = 5 * QFontMetricsF(options.look.font).height();
        QVERIFY2(std::abs(fitted.rowHeight - widest) < 4, // not squeezed, not spread over a tall page
                 qPrintable(QString::number(fitted.rowHeight) + u" px apart"_qs));
        const qreal lastRow = std::max(fitted.queries.back().bottom(), fitted.keys.back().bottom());
        QVERIFY2(fitted.footnote.top() - lastRow < 2 * fitted.rowHeight,
                 qPrintable(QString::number(fitted.footnote.top() - lastRow) + u" px below the rows"_qs));
    }

    // On a slide, "I love you" once drew its three rows 56 px apart at the top of the page
    // and left the rest empty: on a page of given size the rows share its height out, from
    // under the legend to the note.
    void aShortSentencesLinksFillASlide()
    {
        const auto trace = traceOf(u"I love you"_qs);
        ViewOptions options = standardOptions();
        options.look = Appearance::forPresentation(Appearance::standard());
        const TokenLinksLayout layout = layoutTokenLinks(QRectF(0, 0, 1280, 720), *trace, options);
        QVERIFY(!layout.empty);
        const qreal below = layout.footnote.top() - layout.queries.back().bottom();
        QVERIFY2(below < 10, qPrintable(QString::number(below) + u" px between the rows and the note"_qs));
        QVERIFY2(layout.rowHeight > 150, qPrintable(QString::number(layout.rowHeight) + u" px apart"_qs));
    }

    // A pinned query's name is bold; it was shortened to fit in the normal type, so a long
    // one ran out of its box and off the page ("nternationalization").
    void aPinnedQuerysBoldNameStaysInItsBox()
    {
        const auto trace = traceOf(u"Internationalization is hard"_qs);
        ViewOptions options = standardOptions();
        options.focus.pinnedQueries = {0};
        const QSize size(360, 300);
        const TokenLinksLayout layout = layoutTokenLinks(QRectF(QPointF(0, 0), QSizeF(size)), *trace, options);
        const QRectF box = layout.queries.front();
        QVERIFY2(QFontMetricsF(options.look.font).horizontalAdvance(u"Internationalization"_qs) > box.width() - 8,
                 "the name fits its box here; this test needs a narrower page");
        const QImage image = render(ViewId::TokenLinks, *trace, options, size);
        int outside = 0;
        for (int y = int(box.top()) + 3; y < int(box.bottom()) - 3; ++y)
            for (int x = 0; x <= int(box.left()) + 1; ++x)
                outside += qRed(image.pixel(x, y)) < 128; // the dark type, not the pin's red frame
        QCOMPARE(outside, 0);
    }

    void switchedOffHeadsDrawNoLinks()
    {
        const auto trace = traceOf(u"The cat sat on the mat."_qs, 3);
        ViewOptions all = standardOptions();
        ViewOptions none = all;
        none.focus.hiddenHeads = {0, 1, 2};
        const QImage withLinks = render(ViewId::TokenLinks, *trace, all);
        const QImage withoutLinks = render(ViewId::TokenLinks, *trace, none);
        QVERIFY(withLinks != withoutLinks);
        // With every head off, the middle strip between the columns stays background.
        const QRgb background = withoutLinks.pixel(withoutLinks.width() / 2, 5);
        int painted = 0;
        for (int y = 80; y < withoutLinks.height() - 40; ++y)
            painted += withoutLinks.pixel(withoutLinks.width() / 2, y) != background;
        QCOMPARE(painted, 0);
    }

    // Ten tokens, attention spread evenly (weights 0.1): on the largest-weight scale every
    // link is opaque; on the unit scale they are all under the 0.2 that unpinned links need.
    void unitScaleLeavesEvenlySpreadLinksOut()
    {
        attn::Request request;
        request.text = "one two three four five six seven eight nine ten";
        request.config.temperature = 1000.f; // the highest allowed
        attn::Engine engine;
        const auto trace = engine.run(request);
        QVERIFY(trace->weights.at(0, 0, 0) > 0.099f && trace->weights.at(0, 0, 0) < 0.101f);
        ViewOptions largest = standardOptions();
        ViewOptions unit = largest;
        unit.look.unitColorScale = true;
        const auto paintedInTheMiddle = [](const QImage& image) {
            const QRgb background = image.pixel(image.width() / 2, 5);
            int painted = 0;
            for (int y = 80; y < image.height() - 40; ++y)
                painted += image.pixel(image.width() / 2, y) != background;
            return painted;
        };
        QVERIFY(paintedInTheMiddle(render(ViewId::TokenLinks, *trace, largest)) > 100);
        QCOMPARE(paintedInTheMiddle(render(ViewId::TokenLinks, *trace, unit)), 0);
    }

    void viewNamesParseAndRejectNonsense_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("head");
        QTest::newRow("heads") << u"heads"_qs << true << 0;
        QTest::newRow("links") << u"links"_qs << true << 0;
        QTest::newRow("head:3") << u"head:3"_qs << true << 2;
        QTest::newRow("head:0") << u"head:0"_qs << false << 0;
        QTest::newRow("head:x") << u"head:x"_qs << false << 0;
        QTest::newRow("nonsense") << u"heatmap"_qs << false << 0;
    }
    void viewNamesParseAndRejectNonsense()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(int, head);
        QString error;
        const auto choice = parseViewChoice(text, &error);
        QCOMPARE(choice.has_value(), valid);
        if (valid)
            QCOMPARE(choice->head, head);
        else
            QVERIFY(error.contains(text));
    }
};

ATTN_GUI_TEST_MAIN(TestViews)
#include "test_views.moc"
