// The window as a user drives it: typing, controls, rapid edits, errors, long texts.
#include "gui_test_main.h"
#include "image_checks.h"
#include "window_fixture.h"

#include "export/figure_export.h"
#include "views/head_stats_model.h"
#include "views/head_stats_table.h"
#include "views/heads_view.h"
#include "views/steps_layout.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"

#include <attn/engine.h>
#include <attn/tokenizer.h>

#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QSignalSpy>
#include <QSpinBox>

#include <memory>

namespace {

QStringList tokenTexts(const attn::Trace& trace)
{
    QStringList out;
    for (const attn::Token& token : trace.tokens)
        out << QString::fromStdString(token.text);
    return out;
}

QStringList tokenize(const QString& text)
{
    QStringList out;
    for (const attn::Token& token : attn::tokenize(text.toStdString()))
        out << QString::fromStdString(token.text);
    return out;
}

QString words(int count)
{
    const QStringList pool = {u"students"_qs, u"watch"_qs, u"every"_qs, u"head"_qs, u"change"_qs, u"as"_qs, u"they"_qs, u"move"_qs};
    QStringList out;
    for (int i = 0; i < count; ++i)
        out << pool[i % pool.size()];
    return out.join(u' ');
}

QImage renderView(const ViewWidget& view, const attn::Trace& trace)
{
    Figure figure;
    figure.paint = view.kind().paint;
    figure.options = view.options();
    figure.size = QSize(800, 600);
    return renderImage(figure, trace);
}

} // namespace

class TestWindow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;

    QSpinBox* spin(const char* name) const
    {
        return m_window->controls()->findChild<QSpinBox*>(QString::fromLatin1(name));
    }
    // Waits until the newest request has been answered.
    bool settle() const { return windowSettled(*m_window); }

private slots:
    void init()
    {
        m_window = openWindow(u"The cat sat."_qs, QSize(1200, 800));
        QVERIFY(m_window);
    }
    void cleanup() { m_window.reset(); }

    void typingProducesThoseTokensAndRepaints()
    {
        QPlainTextEdit* edit = m_window->controls()->textEdit();
        edit->clear();
        ViewWidget* heads = m_window->view(ViewId::Heads);
        m_window->showView(ViewId::Heads);
        QVERIFY(settle());
        const int paintsBefore = heads->paintCount();
        edit->setFocus();
        QTest::keyClicks(edit, u"A student hovers was"_qs);
        QVERIFY(settle());
        QCOMPARE(tokenTexts(*m_window->trace()), (QStringList{u"A"_qs, u"student"_qs, u"hovers"_qs, u"was"_qs}));
        QTRY_VERIFY(heads->paintCount() > paintsBefore);
        QCOMPARE(heads->trace(), m_window->trace());
    }

    // The selected query and key are marked in the sentence as typed, emoji and right-to-left
    // words included (their spans are in bytes, the box counts UTF-16 units); an edit that
    // makes the text another clears the marks until its own result comes.
    void theSelectedTokensAreMarkedInTheTextBox()
    {
        const QString text = u"I ❤️ 東京 and مرحبا now"_qs;
        QPlainTextEdit* edit = m_window->controls()->textEdit();
        edit->setPlainText(text);
        QVERIFY(settle());
        QCOMPARE(tokenTexts(*m_window->trace()),
                 (QStringList{u"I"_qs, u"❤️"_qs, u"東"_qs, u"京"_qs, u"and"_qs, u"مرحبا"_qs, u"now"_qs}));
        Focus focus = m_window->sharedFocus();
        focus.pinnedQueries = {5};
        focus.selectedKey = 1;
        m_window->shareFocus(focus);
        const auto marked = [edit] {
            QStringList texts;
            for (const QTextEdit::ExtraSelection& mark : edit->extraSelections())
                texts << mark.cursor.selectedText();
            return texts;
        };
        QCOMPARE(marked(), (QStringList{u"مرحبا"_qs, u"❤️"_qs}));
        QVERIFY(edit->extraSelections().front().format.background().style() != Qt::NoBrush); // the query filled
        QVERIFY(edit->extraSelections().back().format.fontUnderline()); // the key underlined

        focus.hoverQuery = 2; // a hovered query is the one marked, with its own key only
        m_window->shareFocus(focus);
        QCOMPARE(marked(), QStringList{u"東"_qs});
        focus.hoverKey = 1;
        m_window->shareFocus(focus);
        QCOMPARE(marked(), (QStringList{u"東"_qs, u"❤️"_qs}));

        edit->moveCursor(QTextCursor::End);
        QTest::keyClicks(edit, u" x"_qs);
        QVERIFY(marked().isEmpty()); // the tokens are no longer the text's
        QVERIFY(settle());
        QCOMPARE(marked(), (QStringList{u"東"_qs, u"❤️"_qs})); // the new text's tokens, marked again
    }

    // The Steps follow a query and key also with nothing selected (the last token and its
    // strongest key); the text box marks those, as the Steps' header names them.
    void theTextBoxMarksWhatTheStepsFollow()
    {
        QPlainTextEdit* edit = m_window->controls()->textEdit();
        edit->setPlainText(u"The animal did not cross the street because it was tired"_qs);
        QVERIFY(settle());
        QVERIFY(edit->extraSelections().isEmpty()); // the heads: nothing selected
        m_window->showView(ViewId::Steps);
        const StepsSelection followed = stepsSelection(*m_window->trace(), m_window->sharedFocus());
        const QList<QTextEdit::ExtraSelection> marks = edit->extraSelections();
        QCOMPARE(marks.size(), 2);
        QCOMPARE(marks.front().cursor.selectedText(), u"tired"_qs);
        QCOMPARE(marks.back().cursor.selectedText(), tokenTexts(*m_window->trace()).at(followed.key));
    }

    void settingHeadsToSixShowsSixHeatmaps()
    {
        spin("heads")->setValue(6);
        QVERIFY(settle());
        QCOMPARE(m_window->trace()->config.heads, 6);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        const HeadsLayout layout = layoutHeads(QRectF(heads->rect()), *heads->trace(), heads->options());
        QCOMPARE(int(layout.matrices.size()), 6);
    }

    // The columns fit what they hold and the pattern's words take the rest of the dock's
    // width, after every result (a new one left the spare width empty).
    void theHeadStatisticsFillTheDockAfterANewResult()
    {
        spin("heads")->setValue(5);
        QVERIFY(settle());
        QCOMPARE(m_window->trace()->config.heads, 5);
        const QHeaderView* header = m_window->headStatsTable()->horizontalHeader();
        QTRY_COMPARE(header->length(), header->viewport()->width());
    }

    // In a dock too narrow for every column the pattern's words stay whole and the table
    // scrolls sideways (a stretched column shrank to "…" first); wide again, they stretch.
    void theHeadStatisticsKeepThePatternWholeInANarrowDock()
    {
        std::vector<attn::HeadStats> stats(2); // patterns in words longer than the column's title
        stats[0].pattern = attn::HeadPattern::FocusedFar;
        stats[1].head = 1;
        stats[1].pattern = attn::HeadPattern::PreviousToken;
        HeadStatsModel model;
        model.setStats(std::make_shared<const std::vector<attn::HeadStats>>(stats));
        HeadStatsTable table;
        table.setModel(&model);
        table.resize(300, 200);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        const QHeaderView* header = table.horizontalHeader();
        int words = header->sectionSizeHint(HeadStatsModel::Pattern); // the title, then the widest pattern
        for (int row = 0; row < model.rowCount(); ++row)
            words = std::max(words, table.fontMetrics().horizontalAdvance(
                                        model.index(row, HeadStatsModel::Pattern).data().toString()));
        QVERIFY(words > 0);
        QTRY_VERIFY(header->sectionSize(HeadStatsModel::Pattern) >= words);
        QVERIFY(header->length() > header->viewport()->width()); // it scrolls
        table.resize(2400, 200);
        QTRY_COMPARE(header->length(), header->viewport()->width());
    }

    // A fallback's reason can run past a narrow window's edge: the tooltip holds it whole.
    void theStatusLineCanBeReadWholeInItsTooltip()
    {
        spin("heads")->setValue(3);
        QVERIFY(settle());
        const auto* status = m_window->findChild<QLabel*>(u"status"_qs);
        QVERIFY(status);
        QVERIFY(status->text().contains(u"backend "_qs));
        QCOMPARE(status->toolTip(), status->text());
    }

    void settingDkChangesTheTraceShapes()
    {
        spin("dk")->setValue(24);
        QVERIFY(settle());
        const attn::Trace& trace = *m_window->trace();
        QCOMPARE(trace.q.dim(2), std::size_t(24));
        QCOMPARE(trace.k.dim(2), std::size_t(24));
        QCOMPARE(trace.v.dim(2), std::size_t(24)); // d_v follows d_k unless set
    }

    void rapidEditsEndOnTheFinalTextAndSettings()
    {
        QPlainTextEdit* edit = m_window->controls()->textEdit();
        edit->clear();
        const QString final = u"The class watches every head change"_qs;
        for (int i = 0; i < final.size(); ++i) {
            QTest::keyClick(edit, final[i].toLatin1());
            if (i % 5 == 0)
                spin("heads")->setValue(1 + i % 8);
        }
        spin("heads")->setValue(7);
        spin("seed")->setValue(9);
        QVERIFY(settle());
        const attn::Trace& shown = *m_window->trace();
        QCOMPARE(tokenTexts(shown), tokenize(final));
        QCOMPARE(shown.config.heads, 7);
        QCOMPARE(shown.config.seed, std::uint64_t(9));

        // The picture equals the one a fresh computation of the final inputs paints.
        attn::Request request;
        request.text = final.toStdString();
        request.config = m_window->controls()->config();
        attn::Engine engine;
        const auto fresh = engine.run(request);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        QCOMPARE(renderView(*heads, shown), renderView(*heads, *fresh));
    }

    void invalidSettingsShowTheMessageAndKeepThePicture()
    {
        const TracePtr good = m_window->trace();
        attn::Config huge = m_window->controls()->config();
        huge.heads = 64;
        huge.d_k = 1024;
        huge.d_model = 8192; // weights alone would need 8 GiB
        m_window->controls()->setInputs(m_window->controls()->text(), huge);
        spin("seed")->setValue(spin("seed")->value() + 1); // one announced change
        QVERIFY(settle());
        QVERIFY2(m_window->errorText().contains(u"memory"_qs), qPrintable(m_window->errorText()));
        QCOMPARE(m_window->trace(), good);
        QCOMPARE(m_window->view(ViewId::Heads)->trace(), good);

        // A good setting again clears the message.
        spin("heads")->setValue(2);
        spin("dmodel")->setValue(64);
        spin("dk")->setValue(8);
        QVERIFY(settle());
        QVERIFY(m_window->errorText().isEmpty());
        QVERIFY(m_window->trace() != good);
    }

    void aFirstRequestThatFailsSaysSoInTheViewsAndItsMessageClaimsNoEarlierResult()
    {
        Settings settings;
        settings.text = u"The cat sat."_qs;
        settings.config.heads = 64;
        settings.config.d_k = 1024;
        settings.config.d_model = 8192; // weights alone would need 8 GiB
        MainWindow window(settings);
        window.show();
        QVERIFY(windowSettled(window));
        QVERIFY(!window.trace());
        QVERIFY2(window.errorText().contains(u"memory"_qs), qPrintable(window.errorText()));
        QVERIFY2(!window.errorText().contains(u"last result"_qs), qPrintable(window.errorText()));
        for (ViewId id : {ViewId::Heads, ViewId::HeadDetail, ViewId::TokenLinks, ViewId::Steps})
            QCOMPARE(window.view(id)->emptyText(), u"Nothing computed yet: see the message above."_qs);

        window.controls()->findChild<QSpinBox*>(u"dmodel"_qs)->setValue(64);
        QTRY_VERIFY(window.view(ViewId::Heads)->emptyText().startsWith(u"Computing"_qs));
        QVERIFY(QTest::qWaitFor([&window] { return window.isIdle() && window.trace(); }, 20000));
        QVERIFY(window.errorText().isEmpty());
    }

    void anyTextRendersInEveryView_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("emoji") << u"I ❤️ 🐱 👍🏽 👨‍👩‍👧"_qs;
        QTest::newRow("Arabic") << u"القطة التي طاردت الفأر كانت متعبة."_qs;
        QTest::newRow("Chinese") << u"追老鼠的猫很累。"_qs;
        QTest::newRow("2000 words pasted") << words(2000);
    }
    void anyTextRendersInEveryView()
    {
        QFETCH(QString, text);
        m_window->controls()->textEdit()->setPlainText(text);
        QVERIFY(settle());
        QVERIFY2(m_window->errorText().isEmpty(), qPrintable(m_window->errorText()));
        QCOMPARE(tokenTexts(*m_window->trace()), tokenize(text));
        // Each view draws something: a figure of many colours, or for no tokens a hint.
        for (const ViewKind& kind : viewKinds()) {
            m_window->showView(kind.id);
            const int colours = distinctColours(m_window->view(kind.id)->grab().toImage());
            QVERIFY2(colours > (text.isEmpty() ? 2 : 20), qPrintable(kind.key + u": "_qs + QString::number(colours)));
        }
    }

    void clickingAHeadOpensItInTheDetailView()
    {
        spin("heads")->setValue(4);
        QVERIFY(settle());
        m_window->showView(ViewId::Heads);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        const HeadsLayout layout = layoutHeads(QRectF(heads->rect()), *heads->trace(), heads->options());
        QCOMPARE(int(layout.matrices.size()), 4);
        QTest::mouseClick(heads, Qt::LeftButton, {}, layout.matrices[2].rect.center().toPoint());
        QCOMPARE(m_window->currentView()->viewId(), ViewId::HeadDetail);
        QCOMPARE(m_window->currentView()->options().focus.head, 2);
    }

    void escapeUnpinsTokens()
    {
        m_window->showView(ViewId::TokenLinks);
        ViewWidget* links = m_window->view(ViewId::TokenLinks);
        Focus focus = links->options().focus;
        focus.pinnedQueries = {0, 1};
        links->setFocusState(focus);
        QTest::keyClick(links, Qt::Key_Escape);
        QVERIFY(links->options().focus.pinnedQueries.isEmpty());
    }
};

ATTN_GUI_TEST_MAIN(TestWindow)
#include "test_window.moc"
