// The steps view: the numbers it lays out are the trace's, it follows the chosen head,
// query and key, shows saturation when √dₖ scaling is off, draws cross-attention as
// target × source, names the keys above the columns of the scores and weights, and its
// labels never overlap, at 1280×720, on the smallest page and with a presentation font.
#include "views/paint_common.h"
#include "views/steps_layout.h"
#include "views/steps_view.h"

#include <attn/engine.h>
#include <attn/head_stats.h>

#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

const QString longSentence = u"The cat that chased the mouse under the old wooden table was tired."_qs;
const QString emojiSentence = u"I ❤️ 🐈‍⬛ naïve 日本語 👍🏽!"_qs;

QString numberedWords(int count)
{
    QStringList words;
    for (int n = 0; n < count; ++n)
        words << u"w"_qs + QString::number(n);
    return words.join(u' ');
}

struct Setup {
    QString text;
    QString source; // empty: self-attention
    int heads = 4;
    int dk = 16;
    bool causal = false;
    attn::Scaling scaling = attn::Scaling::InvSqrtDk;
    float temperature = 1.f;
};

std::shared_ptr<const attn::Trace> run(const Setup& s)
{
    attn::Request request;
    request.text = s.text.toStdString();
    if (!s.source.isEmpty())
        request.sourceText = s.source.toStdString();
    request.config.heads = s.heads;
    request.config.d_k = s.dk;
    request.config.causal = s.causal;
    request.config.scaling = s.scaling;
    request.config.temperature = s.temperature;
    request.config.seed = 7;
    request.backend = attn::BackendKind::Reference;
    static attn::Engine engine;
    return engine.run(request);
}

ViewOptions optionsFor(const QString& text, int pixelSize = 13)
{
    ViewOptions options;
    options.look = Appearance::standard();
    options.look.font.setPixelSize(pixelSize);
    options.look.text = text;
    return options;
}

// The value the trace holds for a cell of a step, found from the trace alone.
float expected(const attn::Trace& t, StepId id, int head, int query, int key, int row, int column)
{
    const std::size_t h = std::size_t(head), r = std::size_t(row), c = std::size_t(column);
    const float scale = t.config.scoreScale();
    const std::size_t dv = t.v.dim(2);
    switch (id) {
    case StepId::Input: return t.x.at(r, c);
    case StepId::SourceInput: return t.xSource.at(r, c);
    case StepId::Query: return t.q.at(h, r, c);
    case StepId::Key: return t.k.at(h, r, c);
    case StepId::Value: return t.v.at(h, r, c);
    case StepId::Scores: return t.scores.at(h, r, c);
    case StepId::Scaled: return t.scores.at(h, r, c) * scale;
    case StepId::Masked:
        return t.config.causal && column > row ? -std::numeric_limits<float>::infinity() : t.scores.at(h, r, c) * scale;
    case StepId::Weights: return t.weights.at(h, r, c);
    case StepId::HeadOutput: return t.heads.at(h, r, c);
    case StepId::Concat: return t.heads.at(c / dv, r, c % dv);
    case StepId::Output: return t.output.at(r, c);
    case StepId::Pair: {
        const float q = t.q.at(h, std::size_t(query), c), k = t.k.at(h, std::size_t(key), c);
        return row == 0 ? q : (row == 1 ? k : q * k);
    }
    }
    return std::numeric_limits<float>::quiet_NaN();
}

// The number as drawn, read back: it must round to the cell's value.
// Within half a unit in the last place of the way the matrix writes its numbers.
bool textMatches(const QString& text, float value, int decimals)
{
    if (std::isinf(value))
        return text == u"−∞";
    QString ascii = text;
    ascii.replace(u'−', u'-');
    bool ok = false;
    const double read = ascii.toDouble(&ok);
    if (!ok)
        return false;
    if (decimals >= 0)
        return std::abs(read - double(value)) <= 0.5 * std::pow(10.0, -decimals) + 1e-9;
    if (decimals == stepsThreeSignificant)
        return std::abs(read - double(value)) <= 0.005 * std::abs(double(value)) + 1e-12;
    // The weights: three decimals, and two significant digits where that would write 0.000
    // (stepsWeight), or all of them under 0.01 (stepsShare).
    if (text == u"≈0")
        return decimals == stepsNarrowWeight && value > 0.f && value < 0.0005f;
    if (!text.contains(u'e'))
        return std::abs(read - double(value)) <= 0.0005 + 1e-9;
    return std::abs(read - double(value)) <= 0.05 * std::abs(double(value));
}

void saveImage(const attn::Trace& trace, const ViewOptions& options, const QString& name, QSize size)
{
    const QByteArray folder = qgetenv("ATTN_STEPS_PNG_DIR");
    if (folder.isEmpty())
        return;
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    paintSteps(painter, QRectF(QPointF(0, 0), QSizeF(size)), trace, options);
    painter.end();
    image.save(QString::fromLocal8Bit(folder) + u"/steps-"_qs + name + u".png"_qs);
}

QRectF page()
{
    return QRectF(QPointF(0, 0), QSizeF(stepsExportPageSize()));
}

} // namespace

class TestStepsView : public QObject {
    Q_OBJECT
private slots:
    void cellsHoldTheTracesNumbers_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("dk");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("head");
        QTest::addColumn<int>("query");
        QTest::addColumn<int>("key");
        QTest::newRow("three words, head 1") << u"I love you"_qs << 4 << 8 << false << 0 << 1 << 2;
        QTest::newRow("three words, head 4, causal") << u"I love you"_qs << 4 << 8 << true << 3 << 2 << 0;
        QTest::newRow("long, head 2, query 5") << longSentence << 4 << 16 << false << 1 << 4 << 1;
        QTest::newRow("long, head 3, last query, causal") << longSentence << 4 << 16 << true << 2 << 13 << 13;
        QTest::newRow("long, masked pair") << longSentence << 2 << 32 << true << 1 << 3 << 9;
    }

    void cellsHoldTheTracesNumbers()
    {
        QFETCH(QString, text);
        QFETCH(int, heads);
        QFETCH(int, dk);
        QFETCH(bool, causal);
        QFETCH(int, head);
        QFETCH(int, query);
        QFETCH(int, key);
        const auto trace = run({text, {}, heads, dk, causal});
        ViewOptions options = optionsFor(text);
        options.focus.head = head;
        options.focus.hoverQuery = query;
        options.focus.hoverKey = key;
        const StepsLayout layout = computeStepsLayout(page(), *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        QCOMPARE(layout.selection.head, head);
        QCOMPARE(layout.selection.query, query);
        QCOMPARE(layout.selection.key, key);
        QCOMPARE(layout.matrices.size(), 12); // X, Q, K, V, S, S/√d, mask, A, A·V, concat, output, pair

        int numbersChecked = 0;
        for (const StepMatrix& m : layout.matrices) {
            QVERIFY(!m.cells.isEmpty());
            QVERIFY(m.shown.width() <= 12 && m.shown.height() <= 12);
            QCOMPARE(m.cells.size(), m.shown.width() * m.shown.height());
            for (const StepCell& cell : m.cells) {
                const float want = expected(*trace, m.id, head, query, key, cell.row, cell.column);
                if (std::isinf(want)) {
                    QVERIFY(cell.masked);
                    QVERIFY(std::isinf(cell.value) && cell.value < 0);
                } else {
                    QCOMPARE(cell.value, want);
                }
                if (m.numbers) {
                    const QString drawn = stepsNumberText(cell.value, m.decimals);
                    QVERIFY2(textMatches(drawn, want, m.decimals), qPrintable(drawn));
                    ++numbersChecked;
                }
            }
            // The query's row is marked in every step whose rows are queries, and shown.
            if (m.id != StepId::Pair && !m.keyRows) {
                QCOMPARE(m.highlightRow, query);
                QVERIFY(m.shown.top() <= query && query <= m.shown.bottom());
            }
            if (m.keyRows)
                QCOMPARE(m.highlightRow, key);
        }
        QVERIFY(numbersChecked > 0);

        // The concatenation shows the head's own columns from its first, as A·V beside it
        // shows them: the same numbers, in line (where the head's block fits the window).
        for (const StepMatrix& m : layout.matrices)
            if (m.id == StepId::Concat)
                QCOMPARE(m.shown.left(), std::min(head * dk, heads * dk - m.shown.width()));

        // The opened-up pair: the sum is the raw score, the weight and rank are the row's.
        const std::size_t h = std::size_t(head), i = std::size_t(query), j = std::size_t(key);
        QCOMPARE(layout.pair.dot, double(trace->scores.at(h, i, j)));
        QCOMPARE(layout.pair.weight, double(trace->weights.at(h, i, j)));
        int rank = 1;
        for (std::size_t c = 0; c < trace->keyCount(); ++c)
            rank += trace->weights.at(h, i, c) > trace->weights.at(h, i, j) ? 1 : 0;
        QCOMPARE(layout.pair.rank, rank);
        QCOMPARE(layout.pair.masked, causal && key > query);
    }

    void smallTextShowsEveryWeight()
    {
        const auto trace = run({u"I love you"_qs, {}, 2, 8});
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(u"I love you"_qs));
        const StepMatrix* weights = layout.matrix(StepId::Weights);
        QVERIFY(weights);
        QVERIFY(weights->numbers);
        QCOMPARE(weights->cells.size(), 9);
    }

    void defaultSelectionIsLastQueryAndItsStrongestKey()
    {
        const auto trace = run({longSentence, {}, 4, 16});
        ViewOptions options = optionsFor(longSentence);
        options.focus.head = 2;
        const StepsSelection s = stepsSelection(*trace, options.focus);
        const int last = int(trace->queryCount()) - 1;
        QCOMPARE(s.query, last);
        int strongest = 0;
        for (int c = 1; c < int(trace->keyCount()); ++c)
            if (trace->weights.at(2, std::size_t(last), std::size_t(c)) > trace->weights.at(2, std::size_t(last), std::size_t(strongest)))
                strongest = c;
        QCOMPARE(s.key, strongest);
        options.focus.pinnedQueries = {3, 5};
        QCOMPARE(stepsSelection(*trace, options.focus).query, 5);
        options.focus.hoverQuery = 1;
        QCOMPARE(stepsSelection(*trace, options.focus).query, 1);
        options.focus.head = 99; // clamped, never out of range
        QCOMPARE(stepsSelection(*trace, options.focus).head, 3);
    }

    void scalingOffSaturatesTheSoftmax()
    {
        // d_k = 256 without ÷√dₖ: scores grow with d_k and the softmax approaches one-hot.
        Setup scaled{longSentence, {}, 4, 256};
        Setup unscaled = scaled;
        unscaled.scaling = attn::Scaling::None;
        const auto on = run(scaled), off = run(unscaled);
        ViewOptions options = optionsFor(longSentence);
        options.focus.hoverQuery = 6;
        const StepsLayout withScaling = computeStepsLayout(page(), *on, options);
        const StepsLayout without = computeStepsLayout(page(), *off, options);
        QCOMPARE(withScaling.readouts.size(), std::size_t(4));
        QCOMPARE(without.readouts.size(), std::size_t(4));
        for (std::size_t h = 0; h < 4; ++h) {
            QVERIFY2(without.readouts[h].largest > withScaling.readouts[h].largest, qPrintable(QString::number(h)));
            QVERIFY(without.readouts[h].entropy < withScaling.readouts[h].entropy);
            // The readout draws each head's largest weight.
            const QString drawn = QString::number(without.readouts[h].largest, 'f', 3);
            bool found = false;
            for (const StepText& text : without.texts)
                found = found || text.text == drawn;
            QVERIFY2(found, qPrintable(drawn));
        }
        // The caption says what was divided.
        QCOMPARE(withScaling.matrix(StepId::Scaled)->caption, u"S ÷ √256"_qs);
        QCOMPARE(without.matrix(StepId::Scaled)->caption, u"S (no scaling)"_qs);
    }

    void crossAttentionIsTargetBySource()
    {
        const auto trace = run({u"le chat dort"_qs, u"the cat is sleeping"_qs, 2, 8});
        QVERIFY(trace->isCross());
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(u"le chat dort"_qs));
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        const int nq = int(trace->queryCount()), nk = int(trace->keyCount());
        QCOMPARE(nq, 3);
        QCOMPARE(nk, 4);
        for (StepId id : {StepId::Scores, StepId::Scaled, StepId::Masked, StepId::Weights}) {
            const StepMatrix* m = layout.matrix(id);
            QVERIFY(m);
            QCOMPARE(m->rows, nq);
            QCOMPARE(m->columns, nk);
        }
        QCOMPARE(layout.matrix(StepId::Key)->rows, nk);
        QCOMPARE(layout.matrix(StepId::Value)->rows, nk);
        QCOMPARE(layout.matrix(StepId::Query)->rows, nq);
        QVERIFY(layout.matrix(StepId::SourceInput));
        QCOMPARE(layout.matrix(StepId::SourceInput)->rows, nk);
        bool shapeShown = false;
        for (const StepText& text : layout.texts)
            shapeShown = shapeShown || text.text == u"3 × 4";
        QVERIFY(shapeShown);
        for (const StepCell& cell : layout.matrix(StepId::SourceInput)->cells)
            QCOMPARE(cell.value, trace->xSource.at(std::size_t(cell.row), std::size_t(cell.column)));
    }

    // Where the keys are the columns (S, S ÷ √dₖ, the mask, A), each shown column is named
    // above its cells by its key, elided to the cell, the chosen key in the accent: a window
    // of the keys ("cols 4–9") once had no names, and its grid read as square, its diagonal
    // as each token's weight on itself. With a source text the keys are the source's tokens.
    void keyColumnsAreNamedByTheirKeys_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("key");
        QTest::addColumn<int>("pixelSize");
        QTest::newRow("long, a later key") << longSentence << QString() << 10 << 13;
        QTest::newRow("emoji") << emojiSentence << QString() << 7 << 13;
        QTest::newRow("40 tokens, presentation") << numberedWords(40) << QString() << 20 << 22;
        QTest::newRow("cross, source keys") << u"le chat dort sur le tapis rouge"_qs
                                            << u"the cat is sleeping on the red carpet near the door"_qs << 6 << 13;
    }

    void keyColumnsAreNamedByTheirKeys()
    {
        QFETCH(QString, text);
        QFETCH(QString, source);
        QFETCH(int, key);
        QFETCH(int, pixelSize);
        const auto trace = run({text, source, 2, 4});
        ViewOptions options = optionsFor(text, pixelSize);
        if (pixelSize > 13)
            options.look = Appearance::forPresentation(options.look);
        options.focus.hoverKey = key;
        const StepsLayout layout = computeStepsLayout(page(), *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        for (const StepId id : {StepId::Scores, StepId::Scaled, StepId::Masked, StepId::Weights}) {
            const StepMatrix* m = layout.matrix(id);
            QVERIFY(m);
            QVERIFY2(m->shown.width() < m->columns, "a window of the keys, not all of them");
            const qreal cellWidth = m->rect.width() / m->shown.width();
            for (int c = m->shown.left(); c <= m->shown.right(); ++c) {
                const qreal left = m->rect.left() + (c - m->shown.left()) * cellWidth;
                QList<StepText> names; // over the column, just above the cells
                for (const StepText& label : layout.texts)
                    if (label.rect.left() >= left && label.rect.right() <= left + cellWidth
                        && label.rect.bottom() <= m->rect.top() && label.rect.bottom() > m->rect.top() - 10)
                        names << label;
                const QString where = m->caption + u", column "_qs + QString::number(c + 1);
                QVERIFY2(names.size() == 1, qPrintable(where));
                const QString token = paintkit::tokenText(*trace, c, true);
                const QString name = names.front().text;
                QVERIFY2(name == token || (name.endsWith(u'…') && token.startsWith(name.chopped(1))),
                         qPrintable(where + u": “"_qs + name + u"” for “"_qs + token + u"”"_qs));
                QCOMPARE(names.front().style, c == key ? StepText::Style::AccentNote : StepText::Style::Note);
            }
        }
    }

    // d_k = 1: the pair's dot product is one term, not "1 terms".
    void theOpenedPairCountsItsTerms()
    {
        const auto trace = run({u"I love you"_qs, {}, 2, 1});
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(u"I love you"_qs));
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        const auto said = [&](const QString& words) {
            return std::any_of(layout.texts.cbegin(), layout.texts.cend(), [&](const StepText& t) { return t.text == words; });
        };
        QVERIFY(said(u"1 term"_qs));
        QVERIFY(!said(u"1 terms"_qs));
    }

    // The pair's weight is written with three decimals, but never as 0.000 or 1.000 where it
    // is not exactly that: at temperature 0.05 a weight of 1.5e−09 once read "0.000".
    void thePairsWeightIsNotReadAsExactlyZeroOrOne_data()
    {
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<QString>("form");
        QTest::newRow("tiny") << 0.0 << 0.0005 << u"^\\d\\.\\de−\\d+$"_qs;
        QTest::newRow("just below 1") << 0.9995 << 1.0 << u"^1 − \\d\\.\\de−\\d+$"_qs;
        QTest::newRow("in between") << 0.1 << 0.9 << u"^0\\.\\d\\d\\d$"_qs;
    }

    void thePairsWeightIsNotReadAsExactlyZeroOrOne()
    {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(QString, form);
        Setup sharp{longSentence, {}, 4, 16};
        sharp.temperature = 0.05f;
        const auto trace = run(sharp);
        // The first weight strictly between low and high.
        int head = -1, query = -1, key = -1;
        for (int h = 0; h < 4 && head < 0; ++h)
            for (int i = 0; i < int(trace->queryCount()) && head < 0; ++i)
                for (int j = 0; j < int(trace->keyCount()) && head < 0; ++j)
                    if (const double w = trace->weights.at(std::size_t(h), std::size_t(i), std::size_t(j)); w > low && w < high)
                        head = h, query = i, key = j;
        QVERIFY2(head >= 0, "no such weight in the trace");
        ViewOptions options = optionsFor(longSentence);
        options.focus.head = head;
        options.focus.hoverQuery = query;
        options.focus.hoverKey = key;
        const StepsLayout layout = computeStepsLayout(page(), *trace, options);
        const QString prefix = u"softmax: weight "_qs;
        const auto note = std::find_if(layout.texts.cbegin(), layout.texts.cend(),
                                       [&](const StepText& t) { return t.text.startsWith(prefix); });
        QVERIFY(note != layout.texts.cend());
        const QString weight = note->text.mid(prefix.size()).section(u',', 0, 0);
        QVERIFY2(QRegularExpression(form).match(weight).hasMatch(), qPrintable(weight));
        // Read back, it is the trace's weight to the digits written.
        QString ascii = weight;
        ascii.replace(u'−', u'-').remove(u' ');
        const bool fromOne = ascii.startsWith(u"1-"_qs);
        const double read = fromOne ? 1.0 - ascii.mid(2).toDouble() : ascii.toDouble();
        const double want = trace->weights.at(std::size_t(head), std::size_t(query), std::size_t(key));
        QVERIFY2(std::abs(read - want) <= (fromOne ? 0.05 * (1.0 - want) : (low > 0 ? 0.0005 : 0.05 * want)), qPrintable(weight));
    }

    void labelsNeverOverlap_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("dk");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("pixelSize");
        QTest::addColumn<QSize>("pageSize");
        QTest::addColumn<QString>("name");
        for (int size : {13, 22}) {
            const QString font = size == 13 ? u"standard"_qs : u"presentation"_qs;
            const QSize slide = stepsExportPageSize(), smallest = stepsMinimumPageSize(size > 13);
            QTest::addRow("three words, %s", qPrintable(font)) << u"I love you"_qs << QString() << 4 << 8 << false << size << slide << u"1-"_qs + font;
            QTest::addRow("long causal, %s", qPrintable(font)) << longSentence << QString() << 4 << 16 << true << size << slide << u"2-"_qs + font;
            QTest::addRow("many heads, %s", qPrintable(font)) << longSentence << QString() << 16 << 64 << false << size << slide << u"3-"_qs + font;
            QTest::addRow("cross, %s", qPrintable(font)) << u"le chat dort"_qs << u"the cat is sleeping"_qs << 4 << 16 << false << size << slide << u"4-"_qs + font;
            QTest::addRow("emoji, %s", qPrintable(font)) << emojiSentence << QString() << 2 << 4 << false << size << slide << u"5-"_qs + font;
            QTest::addRow("40 tokens, %s", qPrintable(font)) << numberedWords(40) << QString() << 4 << 16 << false << size << slide << u"6-"_qs + font;
            QTest::addRow("long causal, smallest page, %s", qPrintable(font)) << longSentence << QString() << 4 << 16 << true << size << smallest << u"7-"_qs + font;
            QTest::addRow("long cross, smallest page, %s", qPrintable(font)) << u"le chat dort sur le tapis rouge"_qs
                << u"the cat is sleeping on the red carpet near the door"_qs << 4 << 16 << false << size << smallest << u"8-"_qs + font;
        }
    }

    void labelsNeverOverlap()
    {
        QFETCH(QString, text);
        QFETCH(QString, source);
        QFETCH(int, heads);
        QFETCH(int, dk);
        QFETCH(bool, causal);
        QFETCH(int, pixelSize);
        QFETCH(QSize, pageSize);
        QFETCH(QString, name);
        const auto trace = run({text, source, heads, dk, causal});
        ViewOptions options = optionsFor(text, pixelSize);
        if (pixelSize > 13)
            options.look = Appearance::forPresentation(options.look);
        const QRectF pageRect(QPointF(0, 0), QSizeF(pageSize));
        const StepsLayout layout = computeStepsLayout(pageRect, *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        saveImage(*trace, options, name, pageSize);
        const QList<QRectF> rects = layout.labelRects();
        QVERIFY(rects.size() > 20);
        for (qsizetype a = 0; a < rects.size(); ++a) {
            QVERIFY2(pageRect.contains(rects[a]), qPrintable(u"label outside the page: "_qs + layout.texts.value(a).text));
            for (qsizetype b = a + 1; b < rects.size(); ++b)
                QVERIFY2(!rects[a].intersects(rects[b]),
                         qPrintable(u"overlap: “"_qs + layout.texts.value(a).text + u"” and “"_qs
                                    + layout.texts.value(b).text + u"”"_qs));
        }
        // The entropy of an even row keeps its number, in a shorter sentence where needed
        // ("entropy in nats; even = ln 14 …" once lost it).
        const int keys = int(trace->keyCount());
        const QString even = u"ln "_qs + QString::number(keys) + u" = "_qs + QString::number(std::log(double(keys)), 'f', 2);
        bool evenShown = false;
        for (const StepText& label : layout.texts)
            evenShown = evenShown || label.text.contains(even);
        QVERIFY2(evenShown, qPrintable(even));
        // Where a matrix's rows are named, its highlighted row (the query's, the key's) is
        // named too, in the accent colour, however few labels fit.
        for (const StepMatrix& m : layout.matrices) {
            if (m.highlightRow < m.shown.top() || m.highlightRow > m.shown.bottom())
                continue;
            const qreal row = m.rect.height() / m.shown.height();
            const qreal middle = m.rect.top() + (m.highlightRow - m.shown.top() + 0.5) * row;
            bool named = false, anyName = false;
            for (const StepText& label : layout.texts) {
                const bool tokenName = label.style == StepText::Style::Normal || label.style == StepText::Style::Accent;
                if (!tokenName || label.rect.right() > m.rect.left() || label.rect.right() < m.rect.left() - 40
                    || label.rect.center().y() < m.rect.top() || label.rect.center().y() > m.rect.bottom())
                    continue;
                anyName = true;
                named = named || (label.style == StepText::Style::Accent && std::abs(label.rect.center().y() - middle) < 1);
            }
            QVERIFY2(!anyName || named, qPrintable(u"the highlighted row is not named left of "_qs + m.caption));
        }
        // Matrices do not overlap each other or any text either, nor do the frames of their
        // highlighted rows, which reach out to the sides ("suitcase" once touched one).
        const qreal frameReach = paintkit::markReach(options.look);
        for (qsizetype a = 0; a < layout.matrices.size(); ++a) {
            QVERIFY(pageRect.contains(layout.matrices[a].rect));
            for (qsizetype b = a + 1; b < layout.matrices.size(); ++b)
                QVERIFY(!layout.matrices[a].rect.intersects(layout.matrices[b].rect));
            const QRectF framed = layout.matrices[a].rect.adjusted(-frameReach, 0, frameReach, 0);
            for (const StepText& label : layout.texts)
                QVERIFY2(!framed.intersects(label.rect), qPrintable(label.text));
        }
    }

    // The smallest page the window gives the steps (a window 1400 wide gives about that),
    // the page of a window 1600 wide, and the exported page, with 4 heads and the
    // presentation font on its page: numbers near 0 (−0.00534) once hid every number of K,
    // S or the output, more of them the wider the page. 32 and 64 heads crowd the smallest
    // page: there the weights keep their numbers and at least 5 rows and columns show (3
    // would fit every number, but cut a short source text and most of the context).
    void everyMatrixWritesItsNumbers_data()
    {
        QTest::addColumn<QSizeF>("size");
        QTest::addColumn<int>("heads");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("pixelSize");
        for (const QSizeF size : {QSizeF(stepsMinimumPageSize(false)), QSizeF(1310, 690), QSizeF(stepsExportPageSize())})
            for (const int heads : {4, 32, 64}) {
                QTest::addRow("%gx%g, %d heads", size.width(), size.height(), heads) << size << heads << false << 13;
                QTest::addRow("%gx%g, %d heads, causal", size.width(), size.height(), heads) << size << heads << true << 13;
            }
        for (const QSizeF size : {QSizeF(stepsMinimumPageSize(true)), QSizeF(1920, 1080)})
            QTest::addRow("%gx%g, presentation", size.width(), size.height()) << size << 4 << false << 22;
    }

    void everyMatrixWritesItsNumbers()
    {
        QFETCH(QSizeF, size);
        QFETCH(int, heads);
        QFETCH(bool, causal);
        QFETCH(int, pixelSize);
        for (int seed : {7, 42, 1234}) {
            attn::Request request;
            request.text = longSentence.toStdString();
            request.config.heads = heads;
            request.config.d_k = 16;
            request.config.causal = causal;
            request.config.seed = std::uint64_t(seed);
            const auto trace = attn::Engine().run(request);
            ViewOptions options = optionsFor(longSentence);
            if (pixelSize > 13)
                options.look = Appearance::forPresentation(options.look);
            const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), size), *trace, options);
            QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
            QVERIFY(layout.window >= (options.look.presentation ? 3 : 5));
            for (const StepMatrix& m : layout.matrices)
                if (heads <= 4 || size != QSizeF(stepsMinimumPageSize(false)) || m.id == StepId::Weights)
                    QVERIFY2(m.numbers, qPrintable(u"seed "_qs + QString::number(seed) + u": no numbers in "_qs + m.caption));
        }
    }

    // Thousands of tokens spread every weight under 0.01: three decimals wrote the softmax
    // as a matrix of 0.000 beside a "one pair" of 4.2e−4. Each weight keeps its digits.
    void smallWeightsKeepTheirDigits()
    {
        const QString text = numberedWords(1500);
        Setup spread{text, QString(), 2, 16, false};
        spread.temperature = 50.f; // near even: every weight about 1/1500
        const auto trace = run(spread);
        const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(stepsExportPageSize())), *trace,
                                                      optionsFor(text));
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        const auto weights = std::find_if(layout.matrices.begin(), layout.matrices.end(),
                                          [](const StepMatrix& m) { return m.id == StepId::Weights; });
        QVERIFY(weights != layout.matrices.end());
        QVERIFY(weights->numbers);
        for (const StepCell& cell : weights->cells) {
            QVERIFY(cell.value > 0.f && cell.value < 0.01f); // the case under test
            const QString shown = stepsNumberText(cell.value, weights->decimals);
            const double read = QString(shown).replace(u'−', u'-').toDouble();
            QVERIFY2(std::abs(read - cell.value) <= 0.05 * cell.value, qPrintable(shown)); // two digits
        }
        // The pair's note writes its weight as the cells do (it said 0.001 beside a cell's 6.7e−4).
        const auto note = std::find_if(layout.texts.cbegin(), layout.texts.cend(),
                                       [](const StepText& t) { return t.text.startsWith(u"softmax: weight "_qs); });
        QVERIFY(note != layout.texts.cend());
        QVERIFY2(note->text.section(u',', 0, 0).contains(u"e−"_qs), qPrintable(note->text));

        // Beside large weights too: a sharp head's 2.2e−5 read 0.000 beside its 0.3.
        Setup sharp{longSentence, QString(), 8, 16, false};
        sharp.temperature = 0.3f;
        const auto sharpTrace = run(sharp);
        int tiny = 0;
        for (int head = 0; head < 8; ++head) {
            ViewOptions options = optionsFor(longSentence);
            options.focus.head = head;
            const StepsLayout sharpLayout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(stepsExportPageSize())),
                                                               *sharpTrace, options);
            const StepMatrix* shownWeights = sharpLayout.matrix(StepId::Weights);
            QVERIFY(shownWeights && shownWeights->numbers);
            for (const StepCell& cell : shownWeights->cells)
                if (cell.value > 0.f && cell.value < 0.0005f) {
                    ++tiny;
                    const QString shown = stepsNumberText(cell.value, shownWeights->decimals);
                    QVERIFY2(textMatches(shown, cell.value, shownWeights->decimals) && shown.contains(u'e'), qPrintable(shown));
                }
        }
        QVERIFY2(tiny > 0, "no weight under 0.0005 shown; this test needs one");
    }

    // A sharp head's smallest and largest weights (1.7e−4, 1 − 5.1e−6) widened the cells of
    // the smallest presentation page past it: the weights lost their numbers, or the steps
    // had no room at all. There the weights fall back to three decimals.
    void aSharpHeadKeepsTheNumbersOnTheSmallestPresentationPage_data()
    {
        QTest::addColumn<float>("temperature");
        for (const float t : {0.5f, 0.3f, 0.1f})
            QTest::addRow("T %g", double(t)) << t;
    }
    void aSharpHeadKeepsTheNumbersOnTheSmallestPresentationPage()
    {
        QFETCH(float, temperature);
        const QString text = u"The quick brown fox jumps over the lazy dog today"_qs;
        Setup sharp{text, QString(), 4, 16, false};
        sharp.temperature = temperature;
        const auto trace = run(sharp);
        ViewOptions options = optionsFor(text);
        options.look = Appearance::forPresentation(options.look);
        const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(stepsMinimumPageSize(true))), *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        const StepMatrix* weights = layout.matrix(StepId::Weights);
        QVERIFY(weights);
        QVERIFY2(weights->numbers, "no numbers in the weights");
    }

    // On a presentation page the windows are said once, under the header ("at most 3
    // columns of each matrix"); the concatenation, which shows the selected head's columns,
    // still says which under itself: head 3's read as the first head's.
    void theConcatenationSaysItsColumnsOnAPresentationPage()
    {
        const auto trace = run({longSentence, {}, 4, 16});
        ViewOptions options = optionsFor(longSentence);
        options.look = Appearance::forPresentation(options.look);
        options.focus.head = 2;
        const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(stepsMinimumPageSize(true))), *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        const auto concat = std::find_if(layout.matrices.begin(), layout.matrices.end(),
                                         [](const StepMatrix& m) { return m.id == StepId::Concat; });
        QVERIFY(concat != layout.matrices.end());
        QCOMPARE(concat->shown.left(), 32);
        const QString columns = u"cols 33–"_qs + QString::number(32 + concat->shown.width());
        const bool said = std::any_of(layout.texts.begin(), layout.texts.end(),
                                      [&](const StepText& text) { return text.text.contains(columns); });
        QVERIFY2(said, qPrintable(columns + u" is said nowhere"_qs));
        // The other matrices leave their windows to the header's note (the opened-up pair,
        // not a matrix of the trace, says its own).
        for (const StepText& text : layout.texts)
            if (text.text.contains(u"cols "_qs))
                QVERIFY2(text.text.contains(columns) || text.text.contains(u"terms"_qs), qPrintable(text.text));
    }

    // Under the causal mask the last query sees every key: on a slide its window held no
    // −∞, and the mask step read as the scaling step again without a word why.
    void aMaskStepWithoutAMaskedCellSaysSo()
    {
        const QString text = u"The cat sat on the mat."_qs;
        Setup setup{text};
        setup.causal = true;
        const auto trace = run(setup);
        ViewOptions options = optionsFor(text);
        options.look = Appearance::forPresentation(options.look);
        options.focus.pinnedQueries = {6};
        options.focus.selectedKey = 0;
        const QRectF slide(0, 0, 1280, 720);
        const auto says = [](const StepsLayout& layout) {
            return std::any_of(layout.texts.begin(), layout.texts.end(),
                               [](const StepText& t) { return t.text == u"none masked here"_qs; });
        };
        const StepsLayout last = computeStepsLayout(slide, *trace, options);
        QVERIFY2(last.hint.isEmpty(), qPrintable(last.hint));
        const StepMatrix* masked = last.matrix(StepId::Masked);
        QVERIFY(masked);
        QVERIFY(std::none_of(masked->cells.begin(), masked->cells.end(), [](const StepCell& c) { return c.masked; }));
        QVERIFY(says(last));
        // The second token's window holds masked keys, and says nothing.
        options.focus.pinnedQueries = {1};
        const StepsLayout second = computeStepsLayout(slide, *trace, options);
        masked = second.matrix(StepId::Masked);
        QVERIFY(masked);
        QVERIFY(std::any_of(masked->cells.begin(), masked->cells.end(), [](const StepCell& c) { return c.masked; }));
        QVERIFY(!says(second));
        // The weights hatch the same cells, whose 0 is the mask's: it read as a weight the
        // softmax made small.
        const StepMatrix* weights = second.matrix(StepId::Weights);
        QVERIFY(weights);
        for (const StepCell& cell : weights->cells) {
            const bool hidden = cell.column > cell.row;
            QCOMPARE(cell.masked, hidden);
            if (hidden)
                QCOMPARE(cell.value, 0.f);
        }
    }

    // The readout of every head keeps its words whole with one head: its box was one head's
    // column wide, and cut the footer ("even: ln 20000 = 9.9…") and the key ("beca…").
    void theReadoutOfOneHeadIsWhole()
    {
        const QString text = u"because the hungry cat sat on the mat because it was bored"_qs;
        const auto trace = run({text, {}, 1, 16});
        for (const bool presentation : {false, true}) {
            ViewOptions options = optionsFor(text);
            if (presentation)
                options.look = Appearance::forPresentation(options.look);
            const QSizeF size = presentation ? QSizeF(stepsMinimumPageSize(true)) : QSizeF(stepsExportPageSize());
            const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), size), *trace, options);
            QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
            QCOMPARE(layout.readouts.size(), std::size_t(1));
            const auto title = std::find_if(layout.texts.begin(), layout.texts.end(),
                                            [](const StepText& t) { return t.text.startsWith(u"every head"_qs); });
            QVERIFY(title != layout.texts.end());
            const QString key = paintkit::tokenText(*trace, layout.readouts.front().largestKey, true);
            bool keyShown = false, footerShown = false;
            for (const StepText& t : layout.texts) {
                if (t.rect.left() < title->rect.left() - 0.5 || t.rect.top() < title->rect.top() - 0.5)
                    continue; // not the readout's
                QVERIFY2(!t.text.contains(u'…'), qPrintable(t.text));
                keyShown = keyShown || t.text == key;
                footerShown = footerShown || t.text.endsWith(u"nats"_qs) || t.text.contains(u"even = ln"_qs);
            }
            QVERIFY2(keyShown, qPrintable(key));
            QVERIFY(footerShown);
        }
    }

    // The rows of the input X that a label names, top to bottom.
    static std::vector<int> namedRows(const StepsLayout& layout)
    {
        const StepMatrix& x = layout.matrices.front();
        const qreal cell = x.rect.height() / x.shown.height();
        std::vector<int> named;
        for (const StepText& label : layout.texts)
            if (label.rect.right() <= x.rect.left() && label.rect.center().y() > x.rect.top()
                && label.rect.center().y() < x.rect.bottom())
                named.push_back(x.shown.top() + int((label.rect.center().y() - x.rect.top()) / cell));
        std::sort(named.begin(), named.end());
        return named;
    }

    // Rows too short for their names are named every k-th, in step with the selected
    // query's row: counted from the top, the rows beside it gave way, and 2 of 6 were named
    // where 3 fit ("quick" and "jumps" only).
    void rowNamesKeepInStepWithTheSelectedRow()
    {
        // Capitals with rings and accents over letters that reach below the line: taller than a row.
        const QString text = u"Ångström Équipe jumpy Ärger Çağ Übung quirky Øy Éj"_qs;
        attn::Request request;
        request.text = text.toStdString();
        request.config.heads = 3;
        request.config.d_k = 5;
        request.config.d_v = 7;
        request.config.d_model = 1;
        request.config.seed = 7;
        const auto trace = attn::Engine().run(request);
        for (const int query : {0, 1, 2, 4}) {
            ViewOptions options = optionsFor(text);
            options.focus.head = 1;
            options.focus.hoverQuery = query;
            options.focus.hoverKey = 1;
            const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(stepsMinimumPageSize(false))), *trace, options);
            const StepMatrix& x = layout.matrices.front();
            QCOMPARE(x.id, StepId::Input);
            const std::vector<int> named = namedRows(layout);
            QVERIFY(named.size() >= 2);
            const int every = named[1] - named[0];
            QVERIFY2(every > 1, "every row is named here; this test needs shorter rows");
            std::vector<int> want;
            for (int r = x.shown.top(); r <= x.shown.bottom(); ++r)
                if ((r - x.highlightRow) % every == 0)
                    want.push_back(r);
            QVERIFY2(named == want, qPrintable(u"query "_qs + QString::number(query) + u": every "_qs + QString::number(every)
                                               + u", named "_qs + QString::number(named.size())));
        }
    }

    // Rows as tall as the letters of their names name every token, though shorter than the
    // font's line: in a window "the cat sat on a mat" named only cat, on and mat.
    void rowsAsTallAsTheirLettersAreAllNamed()
    {
        const QString text = u"the cat sat on a mat"_qs;
        const auto trace = run({text, QString(), 3, 5, true});
        const ViewOptions options = optionsFor(text);
        QFont bold = options.look.font;
        bold.setBold(true);
        const QFontMetricsF metrics(bold);
        qreal top = 0, bottom = 0;
        for (const QString& word : text.split(u' ')) {
            top = std::min(top, metrics.tightBoundingRect(word).top());
            bottom = std::max(bottom, metrics.tightBoundingRect(word).bottom());
        }
        int shorterThanALine = 0;
        const QSize smallest = stepsMinimumPageSize(false);
        for (int height = smallest.height(); height <= smallest.height() + 300; height += 10) {
            const StepsLayout layout = computeStepsLayout(QRectF(0, 0, smallest.width(), height), *trace, options);
            const StepMatrix& x = layout.matrices.front();
            const qreal cell = x.rect.height() / x.shown.height();
            if (cell < bottom - top + 1)
                continue;
            shorterThanALine += cell < metrics.height() ? 1 : 0;
            QCOMPARE(int(namedRows(layout).size()), x.shown.height());
        }
        QVERIFY2(shorterThanALine > 0, "no page had rows shorter than a line; this test needs one");
    }

    // An arrow stands between two matrices of one line; a line that wraps does not start
    // with one (it used to point at the row labels of the matrix that starts the line).
    void arrowsLeadFromTheMatrixBesideThem_data() { everyMatrixWritesItsNumbers_data(); }

    void arrowsLeadFromTheMatrixBesideThem()
    {
        QFETCH(QSizeF, size);
        QFETCH(int, heads);
        QFETCH(bool, causal);
        QFETCH(int, pixelSize);
        const auto trace = run({longSentence, QString(), heads, 16, causal});
        ViewOptions options = optionsFor(longSentence);
        if (pixelSize > 13)
            options.look = Appearance::forPresentation(options.look);
        const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), size), *trace, options);
        QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
        int arrows = 0;
        for (const StepText& text : layout.texts) {
            if (text.style != StepText::Style::Arrow)
                continue;
            ++arrows;
            const QPointF tip = text.rect.center();
            const auto besideOnTheLeft = [&](const StepMatrix& m) {
                return m.rect.right() <= tip.x() && m.rect.top() <= tip.y() && m.rect.bottom() >= tip.y();
            };
            QVERIFY2(std::any_of(layout.matrices.begin(), layout.matrices.end(), besideOnTheLeft),
                     qPrintable(u"an arrow at x = "_qs + QString::number(tip.x()) + u" has no matrix before it"_qs));
        }
        QVERIFY(arrows >= 3);
    }

    // A short source text is shown whole: 4 source tokens, 4 key rows.
    void crossAttentionShowsEveryRowOfAShortSource()
    {
        const auto trace = run({u"le chat dort"_qs, u"the cat is sleeping"_qs, 4, 16});
        for (const QSizeF size : {QSizeF(stepsMinimumPageSize(false)), QSizeF(1060, 700), QSizeF(stepsExportPageSize())}) {
            const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), size), *trace, optionsFor(u"le chat dort"_qs));
            QVERIFY2(layout.hint.isEmpty(), qPrintable(layout.hint));
            const StepMatrix* source = layout.matrix(StepId::SourceInput);
            QVERIFY(source);
            QCOMPARE(source->shown.height(), 4);
            for (const StepMatrix& m : layout.matrices)
                QVERIFY2(m.numbers, qPrintable(m.caption));
        }
    }

    // Each product names the bias the layer adds to it, and only that one: a layer with
    // b_Q alone once read "output = concat·W_O + b_O" as well.
    void captionsNameTheBiasesTheLayerHas()
    {
        attn::Config config;
        auto layer = std::make_shared<attn::LayerWeights>(attn::LayerWeights::seeded(config));
        layer->b_q = attn::Tensor({std::size_t(config.heads * config.d_k)});
        attn::Request request;
        request.text = "the cat sat";
        request.weights = layer;
        const auto trace = attn::Engine().run(request);
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(u"the cat sat"_qs));
        QCOMPARE(layout.matrix(StepId::Query)->caption, u"Q = X·W_Q + b_Q"_qs);
        QCOMPARE(layout.matrix(StepId::Key)->caption, u"K = X·W_K"_qs);
        QCOMPARE(layout.matrix(StepId::Value)->caption, u"V = X·W_V"_qs);
        QCOMPARE(layout.matrix(StepId::Output)->caption, u"output = concat·W_O"_qs);
        QCOMPARE(layout.matrix(StepId::Input)->caption, u"X = tokens + positions"_qs);
    }

    // Three significant digits keep their trailing zeros: "1" once stood beside "0.745".
    // A number that rounds up to the next power of ten keeps three (0.99996 once read
    // "1.000"), and so does one written with a power of ten ("−1.2e+03" once).
    void cellNumbersKeepTheirPrecisionVisible()
    {
        QCOMPARE(stepsNumberText(0.99996f, -1), u"1.00"_qs);
        QCOMPARE(stepsNumberText(-9.9996f, -1), u"−10.0"_qs);
        QCOMPARE(stepsNumberText(99.996f, -1), u"100"_qs);
        QCOMPARE(stepsNumberText(-1195.98f, -1), u"−1.20e+03"_qs);
        QCOMPARE(stepsNumberText(std::numeric_limits<float>::infinity(), -1), u"∞"_qs);
        QCOMPARE(stepsNumberText(1.f, -1), u"1.00"_qs);
        QCOMPARE(stepsNumberText(-1.3f, -1), u"−1.30"_qs);
        QCOMPARE(stepsNumberText(0.745f, -1), u"0.745"_qs);
        QCOMPARE(stepsNumberText(-12.6f, -1), u"−12.6"_qs);
        QCOMPARE(stepsNumberText(0.00534f, -1), u"0.00534"_qs);
        QCOMPARE(stepsNumberText(2.4e-9f, -1), u"2.40e−09"_qs);
        QCOMPARE(stepsNumberText(0.f, -1), u"0"_qs);
        QCOMPARE(stepsNumberText(0.1234f, 2), u"0.12"_qs);
        QCOMPARE(stepsNumberText(-0.019f, 1), u"0.0"_qs); // no negative zero
        QCOMPARE(stepsNumberText(-0.19f, 1), u"−0.2"_qs);
        QCOMPARE(stepsNumberText(-std::numeric_limits<float>::infinity(), -1), u"−∞"_qs); // the mask's
    }

    // The head's pattern comes from the statistics the window computed once for the trace
    // (at thousands of tokens computing them again took seconds per hover).
    void theHeadlineTakesThePatternFromTheStatisticsGiven()
    {
        const auto trace = run({longSentence, {}, 4, 16, false});
        ViewOptions options = optionsFor(longSentence);
        options.focus.head = 2;
        auto given = std::make_shared<std::vector<attn::HeadStats>>(attn::headStats(*trace));
        (*given)[2].description = "the description the window computed";
        options.headStats = given;
        const StepsLayout layout = computeStepsLayout(page(), *trace, options);
        bool found = false;
        for (const StepText& text : layout.texts)
            found = found || text.text.contains(u"pattern: the description the window computed"_qs);
        QVERIFY(found);
    }

    void cellTooltipsSayTheTracesNumberExactly()
    {
        const auto trace = run({longSentence, {}, 4, 16, true});
        ViewOptions options = optionsFor(longSentence);
        options.focus.hoverQuery = 2; // an early query: the keys after it are masked
        options.focus.hoverKey = 1;
        const StepsLayout layout = computeStepsLayout(page(), *trace, options);
        const StepMatrix* keys = layout.matrix(StepId::Key);
        QVERIFY(keys && !keys->cells.isEmpty());
        const StepCell& cell = keys->cells.back();
        const QString tip = stepsCellToolTip(layout, *trace, cell.rect.center());
        QVERIFY2(tip.startsWith(keys->caption + u"\nrow "_qs + QString::number(cell.row + 1)), qPrintable(tip));
        QString number = tip.section(u' ', -1);
        number.replace(u'−', u'-');
        QCOMPARE(number.toFloat(), cell.value);

        // The mask step's hidden cells are −∞, the weights' 0, each said as it is: the
        // weights' once said −∞ too.
        for (const auto& [id, number] : {std::pair{StepId::Masked, u"−∞"_qs}, {StepId::Weights, u"0"_qs}}) {
            const StepMatrix* m = layout.matrix(id);
            QVERIFY(m);
            int hidden = 0;
            for (const StepCell& c : m->cells)
                if (c.masked) {
                    const QString said = stepsCellToolTip(layout, *trace, c.rect.center());
                    QVERIFY2(said.endsWith(u": "_qs + number + u" (the causal mask hides this key)"_qs), qPrintable(said));
                    ++hidden;
                }
            QVERIFY(hidden > 0);
        }
        QVERIFY(stepsCellToolTip(layout, *trace, QPointF(-5, -5)).isEmpty());
    }

    // A window too small for the steps scrolls to the selection; it keeps the page's left
    // edge, with the title and the query names, where that fits too: they stayed scrolled
    // out of sight once the selection had moved right.
    void aScrolledBoardKeepsItsLeftEdgeInSightWhereItFits()
    {
        const auto trace = run({longSentence, {}, 4, 16});
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(longSentence));
        const QRectF wide = stepsSelectionInSight(layout, QSizeF(page().width(), 700));
        QCOMPARE(wide.left(), 0.0);
        const QRectF narrow = stepsSelectionInSight(layout, QSizeF(page().width() / 3, 700));
        QVERIFY(!narrow.isEmpty());
        QVERIFY(narrow.left() > 0); // no room for both: the selection wins
    }

    void clickingAWeightChoosesQueryAndKey()
    {
        const auto trace = run({longSentence, {}, 4, 16});
        const StepsLayout layout = computeStepsLayout(page(), *trace, optionsFor(longSentence));
        const StepMatrix* weights = layout.matrix(StepId::Weights);
        QVERIFY(weights && weights->cells.size() > 3);
        const StepCell& cell = weights->cells[3];
        const StepsHit hit = stepsHitAt(layout, cell.rect.center());
        QCOMPARE(hit.query, cell.row);
        QCOMPARE(hit.key, cell.column);
        const StepCell& keyRow = layout.matrix(StepId::Key)->cells.front();
        QCOMPARE(stepsHitAt(layout, keyRow.rect.center()).key, keyRow.row);
        QCOMPARE(stepsHitAt(layout, QPointF(-5, -5)).query, -1);
    }

    void emptyTraceGivesAHint()
    {
        const attn::Trace empty;
        const StepsLayout layout = computeStepsLayout(page(), empty, optionsFor(QString()));
        QVERIFY(!layout.hint.isEmpty());
        QImage image(200, 100, QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&image);
        paintSteps(painter, QRectF(0, 0, 200, 100), empty, optionsFor(QString())); // must not crash
    }
};

QTEST_MAIN(TestStepsView)
#include "test_steps_view.moc"
