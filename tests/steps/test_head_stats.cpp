// Head statistics and their plain-words descriptions, on small weight matrices written
// by hand, against values worked out by hand.
#include <attn/error.h>
#include <attn/head_stats.h>

#include <QTest>

#include <cmath>
#include <random>
#include <vector>

using Rows = std::vector<std::vector<float>>;

namespace {

// A trace with one head whose weights are `rows` (n_q x n_k); cross when n_q != n_k or asked.
attn::Trace traceOf(const Rows& rows, bool causal = false, bool cross = false)
{
    attn::Trace trace;
    const std::size_t nq = rows.size(), nk = rows.front().size();
    trace.config.heads = 1;
    trace.config.causal = causal;
    trace.cross = cross;
    trace.x = attn::Tensor({nq, 1});
    if (cross)
        trace.xSource = attn::Tensor({nk, 1});
    trace.weights = attn::Tensor({1, nq, nk});
    for (std::size_t i = 0; i < nq; ++i)
        for (std::size_t j = 0; j < nk; ++j)
            trace.weights.at(0, i, j) = rows[i][j];
    return trace;
}

attn::HeadStats statsOf(const Rows& rows, bool causal = false, bool cross = false)
{
    const std::vector<attn::HeadStats> all = attn::headStats(traceOf(rows, causal, cross));
    if (all.size() != 1)
        qFatal("expected one head");
    return all.front();
}

Rows previousToken(int n)
{
    Rows rows(std::size_t(n), std::vector<float>(std::size_t(n), 0.f));
    rows[0][0] = 1.f; // the first token has no previous one: it looks at itself
    for (int i = 1; i < n; ++i)
        rows[std::size_t(i)][std::size_t(i - 1)] = 1.f;
    return rows;
}

Rows identity(int n)
{
    Rows rows(std::size_t(n), std::vector<float>(std::size_t(n), 0.f));
    for (int i = 0; i < n; ++i)
        rows[std::size_t(i)][std::size_t(i)] = 1.f;
    return rows;
}

Rows uniform(int n)
{
    return Rows(std::size_t(n), std::vector<float>(std::size_t(n), 1.f / float(n)));
}

Rows firstToken(int nq, int nk)
{
    Rows rows(std::size_t(nq), std::vector<float>(std::size_t(nk), 0.f));
    for (auto& row : rows)
        row[0] = 1.f;
    return rows;
}

} // namespace

class TestHeadStats : public QObject {
    Q_OBJECT
private slots:
    void patternIsNamed_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("pattern");
        QTest::addColumn<QString>("words");
        // kind: 0 previous, 1 identity, 2 uniform, 3 first token, 4 four tokens ahead, 5 the
        // next token, 6 two tokens ahead
        QTest::newRow("previous token") << 0 << false << int(attn::HeadPattern::PreviousToken) << u"previous token"_qs;
        QTest::newRow("previous token, causal") << 0 << true << int(attn::HeadPattern::PreviousToken) << u"previous token"_qs;
        QTest::newRow("identity") << 1 << false << int(attn::HeadPattern::Self) << u"itself"_qs;
        QTest::newRow("uniform") << 2 << false << int(attn::HeadPattern::Even) << u"spread evenly"_qs;
        QTest::newRow("first-token sink") << 3 << false << int(attn::HeadPattern::FirstToken) << u"first token"_qs;
        QTest::newRow("first-token sink, causal") << 3 << true << int(attn::HeadPattern::FirstToken) << u"first token"_qs;
        QTest::newRow("far away") << 4 << false << int(attn::HeadPattern::FocusedFar) << u"far away"_qs;
        // Near and far against an even spread over the same rows (2.62 tokens away over 8):
        // a fixed 3 tokens once called every head of a short sentence near.
        QTest::newRow("nearby") << 5 << false << int(attn::HeadPattern::FocusedNear)
                                << u"nearby tokens (1.00 tokens away on average; spread evenly, 2.62)"_qs;
        QTest::newRow("neither near nor far") << 6 << false << int(attn::HeadPattern::Focused)
                                              << u"focused on a few tokens (2.00 tokens away on average"_qs;
    }

    void patternIsNamed()
    {
        QFETCH(int, kind);
        QFETCH(bool, causal);
        QFETCH(int, pattern);
        QFETCH(QString, words);
        constexpr int n = 8;
        Rows rows;
        switch (kind) {
        case 0: rows = previousToken(n); break;
        case 1: rows = identity(n); break;
        case 2: rows = uniform(n); break;
        case 3: rows = firstToken(n, n); break;
        default:
            rows = Rows(n, std::vector<float>(n, 0.f));
            for (int i = 0; i < n; ++i) {
                const int ahead = kind - 4; // kinds 5 and 6; the last rows look as far back
                const int key = kind == 4 ? (i + 4) % n : i + ahead < n ? i + ahead : i - ahead;
                rows[std::size_t(i)][std::size_t(key)] = 1.f;
            }
        }
        const attn::HeadStats stats = statsOf(rows, causal);
        QCOMPARE(int(stats.pattern), pattern);
        QVERIFY2(QString::fromStdString(stats.description).contains(words), stats.description.c_str());
    }

    void previousTokenNumbersMatchHandValues()
    {
        // n = 4: rows 1..3 put all weight on i-1; row 0 on itself.
        const attn::HeadStats s = statsOf(previousToken(4));
        QCOMPARE(s.rowsCounted, 4);
        QCOMPARE(*s.previousShare, 1.0);         // rows 1, 2, 3
        QCOMPARE(*s.selfShare, 0.25);            // row 0 only
        QCOMPARE(s.firstShare, 0.5);             // rows 0 and 1
        QCOMPARE(*s.meanDistance, 0.75);         // (0 + 1 + 1 + 1) / 4
        QCOMPARE(s.entropy, 0.0);
        QCOMPARE(s.meanLargest, 1.0);
    }

    void causalFirstRowHasNoChoiceAndIsNotCounted()
    {
        // Under the causal mask row 0 sees only key 0; the other three rows are averaged.
        const attn::HeadStats s = statsOf(previousToken(4), true);
        QCOMPARE(s.rowsCounted, 3);
        QCOMPARE(*s.selfShare, 0.0);
        QCOMPARE(*s.previousShare, 1.0);
        QVERIFY(qFuzzyCompare(s.firstShare, 1.0 / 3.0)); // row 1's previous token is the first
        // The largest weight too is of the rows counted: row 0's 1, there under any causal
        // head, made the column read 1.000 for every head of GPT-2.
        Rows spread(4, std::vector<float>(4, 0.f)); // row i: 1/(i+1) on each key it sees
        for (std::size_t i = 0; i < spread.size(); ++i)
            std::fill(spread[i].begin(), spread[i].begin() + std::ptrdiff_t(i + 1), 1.f / float(i + 1));
        QCOMPARE(statsOf(spread, true).largest, 0.5); // row 1's
    }

    void uniformNumbersMatchHandValues()
    {
        const attn::HeadStats s = statsOf(uniform(4));
        QVERIFY(std::abs(s.entropy - std::log(4.0)) < 1e-6);
        QVERIFY(std::abs(s.normalizedEntropy - 1.0) < 1e-6);
        // Σ_j |i−j| / 4 for i = 0..3 is 1.5, 1, 1, 1.5.
        QVERIFY(std::abs(*s.meanDistance - 1.25) < 1e-6);
        QVERIFY(std::abs(*s.selfShare - 0.25) < 1e-6);
        QVERIFY(std::abs(s.largest - 0.25) < 1e-6);
    }

    void entropyOfAHalfQuarterQuarterRow()
    {
        // H(0.5, 0.25, 0.25) = 0.5 ln 2 + 2 · 0.25 ln 4 = 1.5 ln 2.
        const attn::Trace trace = traceOf({{0.5f, 0.25f, 0.25f}, {0.5f, 0.25f, 0.25f}, {0.5f, 0.25f, 0.25f}});
        const attn::QueryReadout r = attn::queryReadout(trace, 0, 1);
        QVERIFY(std::abs(r.entropy - 1.5 * std::log(2.0)) < 1e-6);
        QVERIFY(std::abs(r.normalizedEntropy - 1.5 * std::log(2.0) / std::log(3.0)) < 1e-6);
        QCOMPARE(r.largest, 0.5);
        QCOMPARE(r.largestKey, 0);
        QCOMPARE(r.visibleKeys, 3);
    }

    void causalReadoutCountsOnlyVisibleKeys()
    {
        const attn::Trace trace = traceOf({{1.f, 0.f, 0.f}, {0.5f, 0.5f, 0.f}, {0.2f, 0.3f, 0.5f}}, true);
        const attn::QueryReadout r = attn::queryReadout(trace, 0, 1);
        QCOMPARE(r.visibleKeys, 2);
        QVERIFY(std::abs(r.normalizedEntropy - 1.0) < 1e-6); // even over the two keys it may see
        QCOMPARE(attn::queryReadout(trace, 0, 0).normalizedEntropy, 0.0);
        QCOMPARE(attn::queryReadout(trace, 0, 2).largestKey, 2);
    }

    void crossAttentionOmitsPositionalStatistics()
    {
        // Two target tokens attend to three source tokens: "itself" has no meaning.
        const attn::HeadStats s = statsOf(firstToken(2, 3), false, true);
        QVERIFY(!s.selfShare.has_value());
        QVERIFY(!s.previousShare.has_value());
        QVERIFY(!s.meanDistance.has_value());
        QCOMPARE(s.firstShare, 1.0);
        QCOMPARE(int(s.pattern), int(attn::HeadPattern::FirstToken));
        QVERIFY(QString::fromStdString(s.description).contains(u"across two texts: no self, previous token or distance"_qs));
    }

    void crossAttentionOfEqualLengthsKeepsPositions()
    {
        const attn::HeadStats s = statsOf(identity(3), false, true);
        QVERIFY(s.selfShare.has_value());
        QCOMPARE(int(s.pattern), int(attn::HeadPattern::Self));
    }

    void spreadOverTwoKeysIsEvenNotMostly()
    {
        // 0.5 on itself is not more than half: the rule is a strict majority.
        const attn::HeadStats s = statsOf(uniform(2));
        QCOMPARE(int(s.pattern), int(attn::HeadPattern::Even));
    }

    void emptySourceGivesStatisticsWithoutNumbers()
    {
        // Cross-attention with an empty source: three queries, no keys at all.
        attn::Trace trace;
        trace.cross = true;
        trace.weights = attn::Tensor({2, 3, 0});
        const auto all = attn::headStats(trace);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].largest, 0.0);
        QCOMPARE(all[1].rowsCounted, 0);
    }

    void singleTokenIsTrivial()
    {
        const attn::HeadStats s = statsOf({{1.f}});
        QCOMPARE(int(s.pattern), int(attn::HeadPattern::Trivial));
    }

    // Rows long enough for the vector pass and its tail, each row of one magnitude from 1 down
    // to subnormal (with zeros between), against a plain loop in double precision: the
    // statistics are the same numbers whichever way the row is read.
    void longRowsMatchAPlainDoublePrecisionLoop_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("causal");
        for (int n : {15, 16, 17, 40, 129})
            for (bool causal : {false, true})
                QTest::addRow("%d tokens%s", n, causal ? ", causal" : "") << n << causal;
    }

    void longRowsMatchAPlainDoublePrecisionLoop()
    {
        QFETCH(int, n);
        QFETCH(bool, causal);
        std::mt19937 random{unsigned(n)};
        std::uniform_real_distribution<float> spread(0.5f, 1.0f);
        Rows rows(std::size_t(n), std::vector<float>(std::size_t(n), 0.f));
        for (int i = 0; i < n; ++i) {
            const float magnitude = std::ldexp(1.0f, -(i * 7) % 150); // 1 to 2^-149, the smallest subnormal
            const int visible = causal ? i + 1 : n;
            for (int j = 0; j < visible; ++j)
                rows[std::size_t(i)][std::size_t(j)] = (i + j) % 5 == 0 ? 0.f : magnitude * spread(random);
        }

        // A float logarithm is within an ulp (2^-23 relative) of the true one; allow two.
        const double logError = std::ldexp(2.0, -23);
        double entropy = 0, entropyBound = 0, normalized = 0, normalizedBound = 0, distance = 0, largest = 0;
        int counted = 0;
        const attn::Trace trace = traceOf(rows, causal);
        for (int i = 0; i < n; ++i) {
            const int visible = causal ? i + 1 : n;
            double h = 0, bound = 0, d = 0;
            for (int j = 0; j < visible; ++j) {
                const double w = rows[std::size_t(i)][std::size_t(j)];
                largest = std::max(largest, w);
                if (w > 0) {
                    h -= w * std::log(w);
                    bound += std::abs(w * std::log(w));
                }
                d += w * std::abs(i - j);
            }
            // Every row on its own, so that a row of subnormals is held to its own scale.
            const attn::QueryReadout r = attn::queryReadout(trace, 0, i);
            QVERIFY2(std::abs(r.entropy - h) <= logError * bound,
                     qPrintable(u"query %1: %2 against %3"_qs.arg(i).arg(r.entropy, 0, 'g', 17).arg(h, 0, 'g', 17)));
            if (visible < 2)
                continue;
            ++counted;
            entropy += h;
            entropyBound += bound;
            normalized += h / std::log(double(visible));
            normalizedBound += bound / std::log(double(visible));
            distance += d;
        }
        const attn::HeadStats s = statsOf(rows, causal);
        QCOMPARE(s.rowsCounted, counted);
        QCOMPARE(s.largest, largest);
        QVERIFY2(std::abs(s.entropy - entropy / counted) <= logError * entropyBound / counted,
                 qPrintable(QString::number(s.entropy - entropy / counted)));
        QVERIFY(std::abs(s.normalizedEntropy - normalized / counted) <= logError * normalizedBound / counted);
        QVERIFY(std::abs(*s.meanDistance - distance / counted) <= 1e-12 * distance / counted);
    }

    void badHeadOrQueryIsRefusedWithAMessage()
    {
        const attn::Trace trace = traceOf(uniform(3));
        QVERIFY_THROWS_EXCEPTION(attn::Error, attn::queryReadout(trace, 1, 0));
        QVERIFY_THROWS_EXCEPTION(attn::Error, attn::queryReadout(trace, 0, 3));
        QVERIFY_THROWS_EXCEPTION(attn::Error, attn::queryReadout(trace, -1, 0));
        QVERIFY_THROWS_EXCEPTION(attn::Error, attn::headStats(trace.weights, 2, false, true));
    }

    // The window's worker stops a long text's statistics for a newer edit, as it stops
    // the forward pass: they once ran to the end, a third of a second at 20,000 tokens.
    void statisticsStopWhenAskedTo()
    {
        const attn::Trace trace = traceOf(uniform(3));
        std::atomic<bool> stop = true;
        QVERIFY_THROWS_EXCEPTION(attn::Cancelled, attn::headStats(trace, &stop));
        stop = false;
        QCOMPARE(attn::headStats(trace, &stop).size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestHeadStats)
#include "test_head_stats.moc"
