// The classroom features of the window: the steps view follows a selection made
// in any view, sessions round-trip through File → Open/Save, presentation mode keeps every
// view readable on a 720p slide, cross-attention (target × source) works in every view,
// the head statistics dock selects heads, the examples menu sets text and source.
#include "gui_test_main.h"
#include "image_checks.h"
#include "window_fixture.h"

#include "export/figure_export.h"
#include "views/head_detail_view.h"
#include "views/head_stats_model.h"
#include "views/heads_view.h"
#include "views/steps_layout.h"
#include "views/text_record.h"
#include "views/token_links_view.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QLabel>
#include <QStatusBar>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTimer>

#include <memory>

namespace {

const QString sentence = u"The cat that chased the mouse under the old wooden table was tired."_qs;
const QString target = u"le chat dort sur le tapis"_qs;
const QString source = u"the cat is sleeping on the mat today"_qs;

const QSize slide(1280, 720);

// Where the PNGs of the checked figures go when ATTN_CLASSROOM_PNG_DIR is set (to look at).
void keepImage(const QImage& image, const QString& name)
{
    const QByteArray folder = qgetenv("ATTN_CLASSROOM_PNG_DIR");
    if (!folder.isEmpty())
        image.save(QString::fromLocal8Bit(folder) + u'/' + name + u".png"_qs);
}

bool sameTensor(const attn::Tensor& a, const attn::Tensor& b)
{
    return a.shape == b.shape && a.data == b.data;
}

} // namespace

class TestWindowClassroom : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

    template <typename T>
    T* control(const char* name) const
    {
        return m_window->controls()->findChild<T*>(QString::fromLatin1(name));
    }
    bool settle() const { return windowSettled(*m_window); }
    // Sets text, source and heads with one recomputation at the end.
    bool setInputs(const QString& text, const QString& sourceText, int heads)
    {
        attn::Config config = m_window->controls()->config();
        config.heads = heads;
        m_window->controls()->setInputs(text, config);
        m_window->controls()->setSourceText(sourceText);
        m_window->controls()->sourceEdit()->setText(sourceText + u' ');
        m_window->controls()->sourceEdit()->setText(sourceText); // one announced change
        return settle();
    }
    QAction* shortcutAction(const QKeySequence& keys) const
    {
        for (QAction* action : m_window->findChildren<QAction*>())
            if (action->shortcut() == keys)
                return action;
        return nullptr;
    }
    // What the steps view draws (on a slide: the tab may be hidden and not yet sized).
    StepsSelection stepsFollow() const
    {
        ViewWidget* steps = m_window->view(ViewId::Steps);
        const StepsLayout layout = computeStepsLayout(QRectF(QPointF(0, 0), QSizeF(slide)), *steps->trace(), steps->options());
        return layout.hint.isEmpty() ? layout.selection : StepsSelection{-1, -1, -1};
    }

private slots:
    // The overlap check itself: it must see overlapping, rotated and outside texts.
    void drawnTextRecorderFindsOverlaps()
    {
        const PaintFunction clash = [](QPainter& painter, QRectF, const attn::Trace&, const ViewOptions& options) {
            painter.setFont(options.look.font);
            painter.drawText(QPointF(100, 100), u"first"_qs);
            painter.drawText(QPointF(110, 104), u"second"_qs);
            painter.save();
            painter.translate(300, 300);
            painter.rotate(-90);
            painter.drawText(QPointF(0, 0), u"rotated"_qs);
            painter.restore();
            painter.drawText(QPointF(1270, 50), u"beyond"_qs);
        };
        ViewOptions options;
        options.look = Appearance::standard();
        const attn::Trace empty;
        const QList<DrawnText> texts = recordDrawnText(clash, slide, empty, options);
        QCOMPARE(texts.size(), 4);
        QVERIFY(texts[2].rect.height() > texts[2].rect.width()); // boxed as drawn: upright
        const QStringList problems = overlappingTexts(texts, slide);
        QCOMPARE(problems.size(), 2);
        QVERIFY(problems.join(u' ').contains(u"“first” and “second” overlap"_qs));
        QVERIFY(problems.join(u' ').contains(u"“beyond” lies outside"_qs));
    }

    void init()
    {
        QVERIFY(m_dir.isValid());
        m_window = openWindow(sentence, QSize(1400, 900));
        QVERIFY(m_window);
    }
    void cleanup() { m_window.reset(); }

    // A lesson without the mouse: the arrow keys move the selected query and key, Page Up
    // and Page Down the head, in the steps and in every view that follows them; the ends
    // stay where they are.
    void theArrowKeysMoveTheSelectedCell()
    {
        // A view brought up by its key takes the keys at once (the steps' scroll area took
        // them, and the arrows scrolled it).
        m_window->view(ViewId::Heads)->setFocus();
        m_window->showView(ViewId::Steps);
        ViewWidget* steps = m_window->view(ViewId::Steps);
        QVERIFY(steps->hasFocus());
        const StepsSelection start = stepsFollow();
        const int tokens = int(m_window->trace()->queryCount());
        QCOMPARE(start.query, tokens - 1); // nothing pinned: the last token
        QTest::keyClick(steps, Qt::Key_Up);
        QCOMPARE(stepsFollow().query, start.query - 1);
        QCOMPARE(stepsFollow().key, start.key);
        QTest::keyClick(steps, Qt::Key_Down);
        QTest::keyClick(steps, Qt::Key_Down); // past the last token: stays
        QCOMPARE(stepsFollow().query, tokens - 1);
        const int key = std::max(1, start.key);
        Focus focus = m_window->sharedFocus();
        focus.selectedKey = key;
        m_window->shareFocus(focus);
        QTest::keyClick(steps, Qt::Key_Left);
        QCOMPARE(stepsFollow().key, key - 1);
        QTest::keyClick(steps, Qt::Key_PageDown);
        QCOMPARE(stepsFollow().head, start.head + 1);
        QCOMPARE(m_window->sharedFocus().head, start.head + 1);
        QCOMPARE(m_window->view(ViewId::HeadDetail)->options().focus.selectedQuery(), tokens - 1);
        QCOMPARE(m_window->view(ViewId::HeadDetail)->options().focus.selectedKey, key - 1);
        QCOMPARE(m_window->currentView(), steps); // the view stays

        // The statistics table's current row is the selected head's.
        const QModelIndex current = m_window->headStatsTable()->currentIndex();
        QCOMPARE(current.siblingAtColumn(HeadStatsModel::Head).data(HeadStatsModel::SortRole).toInt() - 1,
                 m_window->sharedFocus().head);
        // Typing goes on in the text box when a view is shown from there.
        m_window->controls()->textEdit()->setFocus();
        m_window->showView(ViewId::Heads);
        QVERIFY(m_window->controls()->textEdit()->hasFocus());
    }

    // In a zoomed head detail the keys move the selection within the zoom; past its edge
    // the whole matrix comes back, so that the selection stays in sight.
    void movingTheSelectionOutOfAZoomZoomsOut()
    {
        m_window->showView(ViewId::HeadDetail);
        ViewWidget* detail = m_window->view(ViewId::HeadDetail);
        Focus focus = m_window->sharedFocus();
        focus.pinnedQueries = {2};
        focus.selectedKey = 2;
        focus.zoom = QRect(0, 0, 3, 3); // keys 0–2 × queries 0–2
        m_window->shareFocus(focus);
        QTest::keyClick(detail, Qt::Key_Up);
        QCOMPARE(m_window->sharedFocus().zoom, QRect(0, 0, 3, 3));
        QTest::keyClick(detail, Qt::Key_Right);
        QCOMPARE(m_window->sharedFocus().selectedKey, 3);
        QVERIFY(m_window->sharedFocus().zoom.isNull());
    }

    void stepsFollowAClickInTheHeadsView()
    {
        m_window->showView(ViewId::Heads);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        const HeadsLayout layout = layoutHeads(QRectF(heads->rect()), *heads->trace(), heads->options());
        QCOMPARE(int(layout.matrices.size()), 4);
        const int head = 2, query = 5, key = 1;
        const QPointF cell = layout.matrices[std::size_t(head)].cellRect(key, query).center();
        QTest::mouseClick(heads, Qt::LeftButton, {}, cell.toPoint());
        const StepsSelection s = stepsFollow();
        QCOMPARE(s.head, head);
        QCOMPARE(s.query, query);
        QCOMPARE(s.key, key);
        // Every view holds the same selection.
        for (const ViewKind& kind : viewKinds())
            QVERIFY2(m_window->view(kind.id)->options().focus == m_window->sharedFocus(), qPrintable(kind.key));
    }

    // The query names left of the first column name the queries of every head in a row: a
    // click on one pins that query in the head already selected, not in the head beside it,
    // and drops a zoom of that head that would not show the query.
    void aQueryNameClickedInTheHeadsViewPinsItForTheSelectedHead()
    {
        m_window->showView(ViewId::Heads);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        const HeadsLayout layout = layoutHeads(QRectF(heads->rect()), *heads->trace(), heads->options());
        QVERIFY(layout.columns > 1 && layout.leftSpace > 0);
        const int selected = 1, query = 4;
        m_window->selectHead(selected);
        Focus zoomed = m_window->sharedFocus();
        zoomed.zoom = QRect(0, 0, 3, 3);
        m_window->shareFocus(zoomed);
        const MatrixGeometry& first = layout.matrices[0];
        const QPointF name(first.rect.left() - layout.leftSpace / 2, first.rowRect(query).center().y());
        QCOMPARE(queryNameAt(layout, name), query);
        QTest::mouseClick(heads, Qt::LeftButton, {}, name.toPoint());
        QCOMPARE(m_window->currentView(), m_window->view(ViewId::HeadDetail));
        QCOMPARE(m_window->sharedFocus().head, selected);
        QCOMPARE(m_window->sharedFocus().pinnedQueries, QList<int>{query});
        QVERIFY(m_window->sharedFocus().zoom.isNull());
    }

    // The head detail's zoom belongs to its head: a cell of that head inside it keeps it, a
    // cell outside it (or of another head) drops it, so the chosen cell is always on show.
    void aCellClickedInTheHeadsViewKeepsOnlyAZoomThatShowsIt()
    {
        m_window->showView(ViewId::Heads);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        const HeadsLayout layout = layoutHeads(QRectF(heads->rect()), *heads->trace(), heads->options());
        const int head = 2;
        const auto clickWithZoom = [&](int query, int key) {
            m_window->selectHead(head);
            Focus zoomed = m_window->sharedFocus();
            zoomed.zoom = QRect(0, 0, 3, 3); // keys and queries 0-2
            m_window->shareFocus(zoomed);
            m_window->showView(ViewId::Heads);
            QTest::mouseClick(heads, Qt::LeftButton, {}, layout.matrices[std::size_t(head)].cellRect(key, query).center().toPoint());
            return m_window->sharedFocus().zoom;
        };
        QCOMPARE(clickWithZoom(1, 2), QRect(0, 0, 3, 3));
        QVERIFY(clickWithZoom(5, 1).isNull());
        QVERIFY(clickWithZoom(1, 7).isNull());
    }

    void stepsFollowAClickInTheHeadDetailAndTokenLinks()
    {
        m_window->selectHead(3);
        m_window->showView(ViewId::HeadDetail);
        ViewWidget* detail = m_window->view(ViewId::HeadDetail);
        const MatrixGeometry matrix = layoutHeadDetail(QRectF(detail->rect()), *detail->trace(), detail->options()).matrix;
        QTest::mouseClick(detail, Qt::LeftButton, {}, matrix.cellRect(7, 9).center().toPoint());
        StepsSelection s = stepsFollow();
        QCOMPARE(s.head, 3);
        QCOMPARE(s.query, 9);
        QCOMPARE(s.key, 7);

        m_window->showView(ViewId::TokenLinks);
        ViewWidget* links = m_window->view(ViewId::TokenLinks);
        const TokenLinksLayout tokens = layoutTokenLinks(QRectF(links->rect()), *links->trace(), links->options());
        QTest::mouseClick(links, Qt::LeftButton, {}, tokens.queries[2].center().toPoint());
        s = stepsFollow();
        QCOMPARE(s.query, 2);
        // With no key clicked, the steps open the query's strongest key in the head.
        const attn::QueryReadout readout = attn::queryReadout(*m_window->trace(), 3, 2);
        QCOMPARE(s.key, readout.largestKey);
    }

    void clickingInTheStepsViewSelectsEverywhere()
    {
        m_window->showView(ViewId::Steps);
        ViewWidget* steps = m_window->view(ViewId::Steps);
        const StepsLayout layout = computeStepsLayout(QRectF(steps->rect()), *steps->trace(), steps->options());
        const StepMatrix* weights = layout.matrix(StepId::Weights);
        QVERIFY(weights && weights->cells.size() > 4);
        const StepCell cell = weights->cells[4];
        QTest::mouseMove(steps, cell.rect.center().toPoint());
        QCOMPARE(m_window->sharedFocus().hoverQuery, cell.row);
        QCOMPARE(m_window->sharedFocus().hoverKey, cell.column);
        QTest::mouseClick(steps, Qt::LeftButton, {}, cell.rect.center().toPoint());
        QCOMPARE(m_window->sharedFocus().selectedQuery(), cell.row);
        QCOMPARE(m_window->sharedFocus().selectedKey, cell.column);
        QCOMPARE(m_window->view(ViewId::HeadDetail)->options().focus.selectedKey, cell.column);
    }

    void temperatureSliderSetsTheTemperatureOnALogScale()
    {
        auto* slider = control<QSlider>("temperatureSlider");
        auto* box = control<QDoubleSpinBox>("temperature");
        slider->setValue(20); // one step of 20 doubles T
        QCOMPARE(box->value(), 2.0);
        QVERIFY(settle());
        QCOMPARE(m_window->view(ViewId::Heads)->trace()->config.temperature, 2.0f);
        box->setValue(0.5);
        QCOMPARE(slider->value(), -20);
        box->setValue(1.0);
        QCOMPARE(slider->value(), 0);
        QVERIFY(settle());
    }

    // A view that takes the arrow keys shows that it has them, as any focused widget does.
    void theViewWithTheKeysIsFramed()
    {
        ViewWidget* heads = m_window->view(ViewId::Heads);
        m_window->showView(ViewId::Heads);
        heads->setFocus();
        QVERIFY(heads->hasFocus());
        const QColor frame = heads->palette().color(QPalette::Highlight);
        QCOMPARE(heads->grab().toImage().pixelColor(0, heads->height() / 2), frame);
        m_window->controls()->textEdit()->setFocus();
        QVERIFY(!heads->hasFocus());
        QVERIFY(heads->grab().toImage().pixelColor(0, heads->height() / 2) != frame);
    }

    // A temperature typed below the least allowed becomes the least, not the value before
    // (0 once went back to 0.500 without a word).
    void temperatureTypedOutOfRangeBecomesTheNearestAllowed()
    {
        auto* box = control<QDoubleSpinBox>("temperature");
        box->setValue(0.5);
        box->setFocus();
        box->selectAll();
        QTest::keyClicks(box, u"0"_qs);
        QTest::keyClick(box, Qt::Key_Return);
        QCOMPARE(box->value(), attn::Limits::minTemperature);
        QVERIFY(box->toolTip().contains(u"from 0.001 to 1000"_qs));
        box->setValue(1.0);
        QVERIFY(settle());
    }

    void stepsReadoutFollowsTemperatureScalingAndMask()
    {
        m_window->showView(ViewId::Steps);
        const auto readouts = [this] {
            ViewWidget* steps = m_window->view(ViewId::Steps);
            return computeStepsLayout(QRectF(steps->rect()), *steps->trace(), steps->options()).readouts;
        };
        const auto before = readouts();
        QCOMPARE(int(before.size()), 4);

        control<QDoubleSpinBox>("temperature")->setValue(8.0); // flatter
        QVERIFY(settle());
        const auto hot = readouts();
        for (std::size_t h = 0; h < hot.size(); ++h)
            QVERIFY2(hot[h].entropy > before[h].entropy, qPrintable(QString::number(h)));

        control<QDoubleSpinBox>("temperature")->setValue(1.0);
        control<QCheckBox>("scaled")->setChecked(false); // sharper
        QVERIFY(settle());
        const auto unscaled = readouts();
        for (std::size_t h = 0; h < unscaled.size(); ++h)
            QVERIFY(unscaled[h].largest > before[h].largest);

        // Causal: the selected query (the last token) still sees every key, an early one not.
        control<QCheckBox>("scaled")->setChecked(true);
        Focus focus = m_window->sharedFocus();
        focus.pinnedQueries = {2};
        m_window->shareFocus(focus);
        control<QCheckBox>("causal")->setChecked(true);
        QVERIFY(settle());
        for (const attn::QueryReadout& r : readouts())
            QCOMPARE(r.visibleKeys, 3);
    }

    // A setting changed in front of the class comes back with Ctrl+Z (Redo again), from
    // the view or from the box just changed; the text box keeps Ctrl+Z for its text. Steps
    // of one setting in a row are one change. There was no undo for settings at all.
    void ctrlZTakesBackASettingChangedInClass()
    {
        QApplication::setActiveWindow(m_window.get());
        auto* heads = control<QSpinBox>("heads");
        const int before = heads->value();
        heads->setFocus();
        QTest::keyClick(heads, Qt::Key_Up);
        QTest::keyClick(heads, Qt::Key_Up);
        QVERIFY(settle());
        QCOMPARE(m_window->trace()->config.heads, before + 2);
        const QAction* undo = shortcutAction(QKeySequence::Undo);
        QVERIFY(undo && undo->isEnabled());
        QCOMPARE(QString(undo->text()).remove(u'&'), u"Undo heads "_qs + QString::number(before) + u" → "_qs
                                                          + QString::number(before + 2));

        ViewWidget* view = m_window->currentView();
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(heads->value(), before);
        QVERIFY(settle());
        QCOMPARE(m_window->trace()->config.heads, before);
        QTest::keySequence(view, QKeySequence::Redo);
        QCOMPARE(heads->value(), before + 2);
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(heads->value(), before);
        QTest::keyClick(view, Qt::Key_Y, Qt::ControlModifier); // a class used to other desktops presses it
        QCOMPARE(heads->value(), before + 2);

        // From the box just changed: the spin box's own Ctrl+Z undid no spinning.
        auto* causal = control<QCheckBox>("causal");
        const bool wasCausal = causal->isChecked();
        causal->click();
        auto* dk = control<QSpinBox>("dk");
        const int dkBefore = dk->value();
        dk->setFocus();
        QTest::keyClick(dk, Qt::Key_Up);
        QTest::keyClick(dk, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(dk->value(), dkBefore);
        QCOMPARE(causal->isChecked(), !wasCausal); // one change at a time
        QTest::keyClick(dk, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(causal->isChecked(), wasCausal);
        QVERIFY(settle());

        // The text keeps its own history.
        QPlainTextEdit* text = m_window->controls()->textEdit();
        const QString typed = text->toPlainText();
        text->setFocus();
        text->moveCursor(QTextCursor::End);
        QTest::keyClicks(text, u" now"_qs);
        QVERIFY(undo->shortcuts().isEmpty()); // the menu does not claim the text box's Ctrl+Z
        QTest::keyClick(text, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(text->toPlainText(), typed);
        QCOMPARE(causal->isChecked(), wasCausal);
        QCOMPARE(heads->value(), before + 2);

        // The display's detail head is no layer setting: its Ctrl+Z leaves the layer alone.
        auto* detailHead = control<QSpinBox>("detailHead");
        QVERIFY(detailHead);
        detailHead->setFocus();
        QCOMPARE(undo->shortcut(), QKeySequence(QKeySequence::Undo)); // out of the text box again
        QTest::keyClick(detailHead, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(heads->value(), before + 2);

        // An example replaces the text only: the settings, and their history, stay.
        QVERIFY(undo->isEnabled());
        m_window->applyExample(m_window->examples().constFirst());
        QVERIFY(undo->isEnabled());
        QVERIFY(settle());

        // What the history records is what the boxes hold: a temperature of 0.0625 shows as
        // 0.063, and the next change read as "2 settings", unmerged.
        attn::Config config = m_window->controls()->config();
        config.temperature = 0.0625f;
        m_window->controls()->setInputs(m_window->controls()->text(), config);
        heads->setFocus();
        QTest::keyClick(heads, Qt::Key_Down);
        QCOMPARE(QString(undo->text()).remove(u'&'), u"Undo heads "_qs + QString::number(before + 2) + u" → "_qs
                                                          + QString::number(before + 1));
        QVERIFY(settle());

        // Another document's settings start a history of their own.
        SessionState other;
        other.text = u"a lesson's sentence"_qs;
        other.config.heads = 3;
        const QString path = m_dir.filePath(u"other.json"_qs);
        QString error;
        QVERIFY2(session::save(path, other, &error), qPrintable(error));
        QVERIFY(m_window->openSession(path));
        QVERIFY(!undo->isEnabled());
        QVERIFY(settle());
    }

    void sessionRoundTripRestoresTraceAndPicture()
    {
        QVERIFY(setInputs(u"I love my small cat"_qs, QString(), 3));
        control<QSpinBox>("dk")->setValue(8);
        control<QCheckBox>("causal")->setChecked(true);
        control<QComboBox>("colormap")->setCurrentIndex(2);
        QVERIFY(settle());
        Focus focus = m_window->sharedFocus();
        focus.head = 1;
        focus.pinnedQueries = {0, 3};
        focus.selectedKey = 1;
        m_window->shareFocus(focus);
        m_window->showView(ViewId::Steps);

        const QString path = m_dir.filePath(u"lesson.json"_qs);
        QVERIFY(m_window->saveSession(path));
        const SessionState saved = m_window->sessionState();
        QCOMPARE(saved.view, u"steps"_qs);
        QCOMPARE(saved.head, 1);
        QCOMPARE(saved.query, 3);
        QCOMPARE(saved.alsoPinned, QList<int>{0});
        QCOMPARE(saved.key, 1);
        const TracePtr savedTrace = m_window->trace();
        const QImage savedImage = renderImage(m_window->figure(ViewId::Steps, slide), *savedTrace);
        QVERIFY(!savedImage.isNull());

        // Change everything, then open the file again.
        QVERIFY(setInputs(sentence, source, 5));
        control<QCheckBox>("causal")->setChecked(false);
        control<QComboBox>("colormap")->setCurrentIndex(0);
        m_window->selectHead(4);
        m_window->showView(ViewId::Heads);
        QVERIFY(settle());
        QVERIFY(!(m_window->sessionState() == saved));

        QVERIFY(m_window->openSession(path));
        QVERIFY(settle());
        QVERIFY(m_window->sessionState() == saved);
        QCOMPARE(m_window->sharedFocus().pinnedQueries, (QList<int>{0, 3}));
        QCOMPARE(m_window->currentView()->viewId(), ViewId::Steps);
        const attn::Trace& reopened = *m_window->trace();
        QVERIFY(reopened.tokens.size() == savedTrace->tokens.size());
        QVERIFY(sameTensor(reopened.q, savedTrace->q));
        QVERIFY(sameTensor(reopened.weights, savedTrace->weights));
        QVERIFY(sameTensor(reopened.output, savedTrace->output));
        const QImage reopenedImage = renderImage(m_window->figure(ViewId::Steps, slide), reopened);
        QVERIFY2(reopenedImage == savedImage, "the reopened session paints a different picture");
    }

    // Open and Examples ask before they replace typed work; the title marks it.
    void changesSinceTheLastSaveAreMarkedAndSavingClearsTheMark()
    {
        QVERIFY(!m_window->hasUnsavedWork());
        QVERIFY(!m_window->isWindowModified());
        QVERIFY(m_window->windowTitle().contains(u"[*]"_qs));
        QVERIFY(setInputs(u"a new sentence typed in class"_qs, QString(), 4));
        QVERIFY(m_window->hasUnsavedWork());
        QVERIFY(m_window->isWindowModified());

        const QString path = m_dir.filePath(u"typed.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QVERIFY(!m_window->hasUnsavedWork());
        QVERIFY(!m_window->isWindowModified());
        QCOMPARE(m_window->windowTitle(), u"typed.json[*] — Attention Explorer"_qs);

        // Another view or head is no work to lose; another d_k is.
        m_window->showView(ViewId::Steps);
        m_window->selectHead(2);
        QVERIFY(!m_window->hasUnsavedWork());
        control<QSpinBox>("dk")->setValue(control<QSpinBox>("dk")->value() + 1);
        QVERIFY(m_window->hasUnsavedWork());
        QVERIFY(m_window->isWindowModified());

        // An example chosen is at hand again in its menu: nothing to lose.
        m_window->applyExample(m_window->examples().constFirst());
        QVERIFY(!m_window->hasUnsavedWork());
    }

    // A pasted book takes longer than a keystroke: the status bar shows that something is
    // computing (after a quarter second, so that typing does not flicker), then hides it.
    void aLongComputationShowsThatItIsBusy()
    {
        auto* busy = m_window->findChild<QProgressBar*>(u"busy"_qs);
        QVERIFY(busy);
        QVERIFY(!busy->isVisible());
        QString book;
        for (int i = 0; i < 3000; ++i)
            book += (i % 7 == 0 ? u"the cat "_qs : u"sat "_qs);
        QElapsedTimer clock;
        clock.start();
        m_window->controls()->textEdit()->setPlainText(book); // pasted: one computation
        QVERIFY(!busy->isVisible()); // not at once: typing would make it flicker
        bool seenBusy = false;
        QVERIFY2(QTest::qWaitFor([&] {
            seenBusy = seenBusy || busy->isVisible();
            return m_window->isIdle() && m_window->trace() && m_window->trace()->queryCount() > 3000;
        }, 30000), qPrintable(m_window->errorText() + u" "_qs + QString::number(m_window->trace() ? m_window->trace()->queryCount() : 0)));
        if (clock.elapsed() < 400)
            QSKIP("this machine computed 3,000 words too fast to need the indicator");
        QVERIFY(seenBusy);
        QVERIFY(!busy->isVisible());
    }

    // Ctrl+S writes into the session's file without asking where; with no file yet it
    // asks (Save as), which this test would hang on.
    void saveWritesIntoTheSessionsOwnFile()
    {
        const QString path = m_dir.filePath(u"lesson.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QVERIFY(setInputs(u"a sentence changed during the lesson"_qs, QString(), 4));
        QVERIFY(m_window->hasUnsavedWork());
        shortcutAction(QKeySequence(u"Ctrl+S"_qs))->trigger();
        QVERIFY(!m_window->hasUnsavedWork());
        const SessionResult saved = session::open(path);
        QVERIFY2(saved.ok(), qPrintable(saved.error));
        QCOMPARE(saved.state->text, u"a sentence changed during the lesson"_qs);
        QVERIFY(shortcutAction(QKeySequence(u"Ctrl+Shift+S"_qs)));
    }

    // The next lesson starts from the defaults: File → New session (Ctrl+N) brings back the
    // first sentence and the default settings, leaves the session's file, and asks first
    // about changes not saved (a temperature of 0.001 and a d_model of 1 stayed from lesson
    // to lesson, with no way back but remembering the defaults).
    void aNewSessionStartsFromTheDefaults()
    {
        const QString path = m_dir.filePath(u"lesson.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QVERIFY(setInputs(u"an odd lesson"_qs, u"with a source"_qs, 7));
        auto* temperature = m_window->findChild<QDoubleSpinBox*>(u"temperature"_qs);
        QVERIFY(temperature);
        temperature->setValue(0.001);
        QVERIFY(windowSettled(*m_window));

        const auto kept = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        shortcutAction(QKeySequence(u"Ctrl+N"_qs))->trigger();
        QVERIFY2(kept->contains(u"default settings"_qs), qPrintable(*kept));
        QCOMPARE(m_window->controls()->text(), u"an odd lesson"_qs); // Cancel: nothing changed

        const auto discarded = answerNextMessageBox(m_window.get(), QMessageBox::Discard);
        shortcutAction(QKeySequence(u"Ctrl+N"_qs))->trigger();
        QVERIFY(windowSettled(*m_window));
        QCOMPARE(m_window->controls()->text(), Settings::defaultText());
        QVERIFY(m_window->controls()->sourceText().isEmpty());
        QVERIFY(m_window->controls()->config() == attn::Config{});
        QCOMPARE(m_window->trace()->config.temperature, 1.0f);
        QVERIFY(!m_window->hasUnsavedWork());
        QVERIFY(!m_window->windowTitle().contains(u"lesson.json"_qs));
    }

    // Closing a session's window with changes not saved into it asks first: Cancel keeps
    // the window open, Save writes the file and closes. Without a session file nothing is
    // asked: the text and settings come back at the next start.
    void closingASessionWithUnsavedChangesAsksFirst()
    {
        QVERIFY(setInputs(u"typed without a session"_qs, QString(), 4));
        QVERIFY(m_window->hasUnsavedWork());
        QVERIFY(m_window->close());
        m_window->show();

        const QString path = m_dir.filePath(u"closing.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QVERIFY(setInputs(u"changed after saving"_qs, QString(), 4));
        const auto question = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        QVERIFY(!m_window->close());
        QVERIFY2(question->contains(u"closing.json"_qs), qPrintable(*question));
        QVERIFY(m_window->isVisible());
        QCOMPARE(session::open(path).state->text, u"typed without a session"_qs);

        answerNextMessageBox(m_window.get(), QMessageBox::Save);
        QVERIFY(m_window->close());
        QCOMPARE(session::open(path).state->text, u"changed after saving"_qs);
    }

    // The next start shows what this one left: the text, its source, the display choices.
    void theTextItsSourceTheColourScaleAndTheThemeAreRememberedBetweenRuns()
    {
        QVERIFY(setInputs(sentence, source, 4));
        control<QCheckBox>("unitScale")->setChecked(true);
        m_window->setTheme(Theme::Dark);
        QSettings store(m_dir.filePath(u"remembered.ini"_qs), QSettings::IniFormat);
        m_window->currentSettings().save(store);
        store.sync();
        const Settings loaded = Settings::load(store);
        QCOMPARE(loaded.text, sentence);
        QCOMPARE(loaded.sourceText, source);
        QVERIFY(loaded.unitColorScale);
        QVERIFY(loaded.theme == Theme::Dark);
        m_window->setTheme(Theme::System); // the palette is the application's: back for the next window
        const auto next = openWindow(loaded, QSize(1000, 700));
        QVERIFY(next);
        QVERIFY(next->theme() == Theme::Dark);
        QVERIFY(next->figure(ViewId::Heads, QSize(800, 600)).options.look.isDark());
        next->setTheme(Theme::System);
        QCOMPARE(next->controls()->sourceText(), source);
        QVERIFY(next->trace()->isCross());
        QVERIFY(next->figure(ViewId::Heads, QSize(800, 600)).options.look.unitColorScale);
    }

    // A crash or a killed session once lost everything since the start: an edit is kept
    // within seconds, with the window still open.
    void anEditIsRememberedWithinSecondsWithoutQuitting()
    {
        const QString typed = u"kept before any quit"_qs;
        QSettings().clear(); // nothing left from an earlier run of the test
        QVERIFY(setInputs(typed, QString(), 5));
        QTRY_COMPARE_WITH_TIMEOUT(QSettings().value(u"text"_qs).toString(), typed, 5000);
        QSettings store;
        QCOMPARE(Settings::load(store).config.heads, 5);
        QVERIFY(m_window->isVisible());
    }

    // The positional encoding (set by a session or --positional) and the backend chosen
    // were once forgotten at the next start; the theme is stored by name; the export
    // dialog's page and scale are kept.
    void thePositionalEncodingAndTheBackendAreRememberedBetweenRuns()
    {
        Settings settings;
        settings.text = sentence;
        settings.config.positional = attn::Positional::None;
        settings.backend = attn::BackendKind::Reference;
        settings.theme = Theme::Light;
        settings.exportPage = QSize(1280, 720);
        settings.exportScale = 3;
        const auto window = openWindow(settings, QSize(1000, 700));
        QVERIFY(window);
        QCOMPARE(window->trace()->backend, std::string("reference"));
        QSettings store(m_dir.filePath(u"layer.ini"_qs), QSettings::IniFormat);
        window->currentSettings().save(store);
        window->setTheme(Theme::System);
        store.sync();
        QCOMPARE(store.value(u"view/theme"_qs).toString(), u"light"_qs);
        const Settings loaded = Settings::load(store);
        QVERIFY(loaded.config.positional == attn::Positional::None);
        QVERIFY(loaded.backend == attn::BackendKind::Reference);
        QVERIFY(loaded.theme == Theme::Light);
        QCOMPARE(loaded.exportPage, QSize(1280, 720)); // the export dialog's last choices
        QCOMPARE(loaded.exportScale, 3);
    }

    // F8 takes the head statistics away and back: on a small screen the Steps need the room,
    // and the panel had no key.
    void f8ShowsAndHidesTheHeadStatistics()
    {
        QApplication::setActiveWindow(m_window.get());
        m_window->currentView()->setFocus();
        auto* dock = m_window->findChild<QDockWidget*>();
        QVERIFY(dock && dock->isVisible());
        QTest::keyClick(m_window->currentView(), Qt::Key_F8);
        QTRY_VERIFY(!dock->isVisible());
        QTest::keyClick(m_window->currentView(), Qt::Key_F8);
        QTRY_VERIFY(dock->isVisible());
    }

    // F1 lists every key: the menus', read from the menus themselves, the labels' letters,
    // and the views' own.
    void helpListsEveryKey()
    {
        const QString text = keysHelpText(*m_window);
        auto* dialog = m_window->findChild<QDialog*>(u"shortcuts"_qs);
        QVERIFY(dialog);
        for (const QString& entry : {u"File → Export view…"_qs, u"View → Steps"_qs, u"View → Rollout (not now)"_qs,
                                     u"Edit → Copy view as image"_qs, u"View → Head statistics"_qs})
            QVERIFY2(text.contains(entry), qPrintable(entry));
        QVERIFY(text.contains(QKeySequence(Qt::Key_F8).toString(QKeySequence::NativeText))); // room for the Steps
        QVERIFY(text.contains(QKeySequence(u"Ctrl+E"_qs).toString(QKeySequence::NativeText)));
        QVERIFY(text.contains(QKeySequence(u"Alt+K"_qs).toString(QKeySequence::NativeText)));
        QVERIFY(text.contains(u"go to Key size dₖ"_qs));
        QVERIFY(text.contains(u"in the heads: open the selected head"_qs));
        // It fits the screen, however small: the list scrolls instead.
        QVERIFY(m_window->screen()->availableGeometry().size().expandedTo(dialog->size())
                == m_window->screen()->availableGeometry().size());
        dialog->close();
    }

    // The menu keys work from every field, over the field's own keys: under X11 a field
    // takes Ctrl+E as "end of line", and Ctrl+E right after setting the heads exported
    // nothing. Which keys a field takes depends on the platform's keyboard scheme, so a menu
    // key is made here of the platform's "next word" (Ctrl+Right), which every field takes.
    // The fields keep their editing keys, and the keys they type or move with.
    void theMenuKeysWorkWhileAFieldHasFocus()
    {
        const auto claimedBy = [](QWidget* editor, const QKeySequence& keys) {
            QKeyEvent override(QEvent::ShortcutOverride, keys[0].key(), keys[0].keyboardModifiers());
            override.ignore();
            QApplication::sendEvent(editor, &override);
            return override.isAccepted();
        };
        QList<QWidget*> editors;
        for (QLineEdit* edit : m_window->controls()->findChildren<QLineEdit*>())
            if (!qobject_cast<QAbstractSpinBox*>(edit->parentWidget()))
                editors << edit;
        for (QAbstractSpinBox* box : m_window->controls()->findChildren<QAbstractSpinBox*>())
            editors << box;
        QVERIFY(editors.size() >= 8); // the source, heads, dₖ, dᵥ, d_model, seed, temperature, detail head

        const QKeySequence nextWord = QKeySequence::keyBindings(QKeySequence::MoveToNextWord).value(0);
        QVERIFY(!nextWord.isEmpty());
        QVERIFY2(claimedBy(editors.first(), nextWord), "the fields no longer take \"next word\"; this test needs a key they take");
        QMenu* menu = m_window->menuBar()->actions().constFirst()->menu();
        QAction* menuKey = menu->addAction(u"a menu key"_qs);
        menuKey->setShortcut(nextWord);
        QAction* plainKey = menu->addAction(u"a key without Ctrl, Alt or Meta"_qs);
        plainKey->setShortcut(QKeySequence(u"X"_qs));
        for (QWidget* editor : editors) {
            QVERIFY2(!claimedBy(editor, nextWord), qPrintable(editor->objectName() + u" keeps a menu's key"_qs));
            QVERIFY2(claimedBy(editor, QKeySequence(u"X"_qs)), qPrintable(editor->objectName() + u" lost a key it types"_qs));
            for (QKeySequence::StandardKey own : {QKeySequence::SelectAll, QKeySequence::Copy, QKeySequence::Paste})
                QVERIFY2(claimedBy(editor, QKeySequence(own)), qPrintable(editor->objectName() + u" lost an editing key"_qs));
        }

        // The whole way: the heads changed, then the menu's key, as Ctrl+E under X11.
        auto* heads = m_window->findChild<QSpinBox*>(u"heads"_qs);
        QVERIFY(heads);
        heads->setFocus();
        QTest::keyClick(heads, Qt::Key_Up);
        QSignalSpy triggered(menuKey, &QAction::triggered);
        QTest::keySequence(heads, nextWord);
        QCOMPARE(triggered.size(), 1);

        delete menuKey;
        delete plainKey;
        QVERIFY(claimedBy(editors.first(), nextWord)); // the field's own key again
    }

    // A line edit keeps 32,767 characters unless told: a pasted source book was cut short
    // without a word.
    void aLongPastedSourceIsKeptWhole()
    {
        const QString book = QString(u"word "_qs).repeated(8000); // 40,000 characters
        m_window->controls()->sourceEdit()->setText(book);
        QCOMPARE(m_window->controls()->sourceText().size(), book.size());
    }

    // The causal mask orders one text's tokens; with a source it does not apply.
    void theCausalBoxIsGreyedWhileASourceTextIsGiven()
    {
        QCheckBox* causal = control<QCheckBox>("causal");
        causal->setChecked(true);
        QVERIFY(setInputs(sentence, source, 4));
        QVERIFY(!causal->isEnabled());
        QVERIFY(m_window->errorText().isEmpty());
        QVERIFY(m_window->trace()->isCross());
        QVERIFY(!m_window->trace()->config.causal);

        m_window->controls()->sourceEdit()->clear(); // as the user clears it
        QVERIFY(settle());
        QVERIFY(causal->isEnabled());
        QVERIFY(causal->isChecked()); // the choice kept for when the source goes
        QVERIFY(m_window->trace()->config.causal);
    }

    void malformedSessionLeavesTheStateAlone_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not JSON") << QByteArray("{\"format\": \"attention-explorer-session\", \"vers") << u"JSON"_qs;
        QTest::newRow("unknown view") << QByteArray(R"({"format":"attention-explorer-session","version":1,"text":"a b",
            "config":{"heads":2,"d_model":16,"d_k":4,"d_v":0,"seed":1,"causal":false,"scaling":"sqrt","temperature":1,
            "positional":"sinusoidal","bias":false},"backend":"auto","view":"spectrogram",
            "selection":{"head":0,"query":-1,"key":-1},"colorMap":"viridis","filter":{"keepShare":1,"hideFirst":false}})")
                                      << u"spectrogram"_qs;
        QTest::newRow("head out of range") << QByteArray(R"({"format":"attention-explorer-session","version":1,"text":"a b",
            "config":{"heads":2,"d_model":16,"d_k":4,"d_v":0,"seed":1,"causal":false,"scaling":"sqrt","temperature":1,
            "positional":"sinusoidal","bias":false},"backend":"auto","view":"steps",
            "selection":{"head":7,"query":-1,"key":-1},"colorMap":"viridis","filter":{"keepShare":1,"hideFirst":false}})")
                                           << u"selection.head"_qs;
    }
    void malformedSessionLeavesTheStateAlone()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, mentions);
        const QString path = m_dir.filePath(u"broken.json"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(contents);
        file.close();
        Focus focus = m_window->sharedFocus();
        focus.pinnedQueries = {4};
        m_window->shareFocus(focus);
        const SessionState before = m_window->sessionState();
        const TracePtr trace = m_window->trace();

        QVERIFY(!m_window->openSession(path));
        QVERIFY(m_window->lastMessage());
        QVERIFY(m_window->lastMessage()->isVisible());
        QVERIFY2(m_window->lastMessage()->text().contains(mentions), qPrintable(m_window->lastMessage()->text()));
        QVERIFY(m_window->lastMessage()->text().contains(u"broken.json"_qs));
        m_window->lastMessage()->close();
        QVERIFY(m_window->sessionState() == before);
        QVERIFY(m_window->isIdle());
        QCOMPARE(m_window->trace(), trace);
    }

    void presentationModeIsLargeHighContrastAndFullScreen()
    {
        const int normalSize = m_window->view(ViewId::Steps)->options().look.font.pixelSize();
        m_window->setPresentationMode(true);
        QVERIFY(m_window->isPresentationMode());
        QVERIFY(m_window->windowState() & Qt::WindowFullScreen);
        QVERIFY(!m_window->controls()->isVisible()); // the board gets the whole screen
        QVERIFY(!m_window->headStatsDock()->isVisible());
        for (const ViewKind& kind : viewKinds()) {
            const Appearance& look = m_window->view(kind.id)->options().look;
            QVERIFY(look.presentation);
            QVERIFY(look.font.pixelSize() >= 20);
            QVERIFY(look.font.pixelSize() > normalSize);
            QVERIFY(look.lineScale >= 2.0);
            // Black on white (or the reverse): the strongest contrast there is.
            QCOMPARE(qAbs(look.foreground.lightness() - look.background.lightness()), 255);
        }
        m_window->setPresentationMode(false);
        QVERIFY(!(m_window->windowState() & Qt::WindowFullScreen));
        QVERIFY(m_window->controls()->isVisible());
        QVERIFY(m_window->headStatsDock()->isVisible());
        QCOMPARE(m_window->view(ViewId::Steps)->options().look.font.pixelSize(), normalSize);
    }

    // A teacher changes a setting while presenting: F9 brings the controls in (entering
    // presentation mode says so, and how to leave); leaving it shows them as before.
    void f9BringsTheControlsInWhilePresenting()
    {
        const auto native = [](const QKeySequence& keys) { return keys.toString(QKeySequence::NativeText); };
        m_window->setPresentationMode(true);
        QVERIFY(!m_window->controls()->isVisible());
        const QString hint = m_window->statusBar()->currentMessage();
        QVERIFY2(hint.contains(native(QKeySequence(Qt::Key_F9))) && hint.contains(native(QKeySequence(u"Ctrl+Shift+P"_qs))),
                 qPrintable(hint));

        QTest::keyClick(m_window.get(), Qt::Key_F9);
        QVERIFY(m_window->controls()->isVisible());
        QVERIFY(m_window->isPresentationMode());
        auto* heads = m_window->findChild<QSpinBox*>(u"heads"_qs);
        QVERIFY(heads && heads->isVisible());
        heads->setValue(heads->value() + 1);
        QVERIFY(QTest::qWaitFor([&] { return m_window->isIdle() && m_window->trace()->config.heads == heads->value(); }, 20000));
        QTest::keyClick(m_window.get(), Qt::Key_F9);
        QVERIFY(!m_window->controls()->isVisible());

        m_window->setPresentationMode(false);
        QVERIFY(m_window->controls()->isVisible());

        // Hidden before, hidden after.
        QTest::keyClick(m_window.get(), Qt::Key_F9);
        QVERIFY(!m_window->controls()->isVisible());
        m_window->setPresentationMode(true);
        m_window->setPresentationMode(false);
        QVERIFY(!m_window->controls()->isVisible());
        QTest::keyClick(m_window.get(), Qt::Key_F9);
        QVERIFY(m_window->controls()->isVisible());
    }

    // Quitting in presentation mode once left a full-screen size and a hidden dock for the
    // next start to restore.
    void quittingInPresentationModeRemembersTheWindowAsItWasBefore()
    {
        const QSize before = m_window->size();
        m_window->setPresentationMode(true);
        QVERIFY(m_window->close());
        QSettings store;
        const Settings remembered = Settings::load(store);
        const auto next = std::make_unique<MainWindow>(remembered);
        next->show();
        QVERIFY(QTest::qWaitForWindowExposed(next.get()));
        QVERIFY(!next->isPresentationMode());
        QVERIFY(!(next->windowState() & Qt::WindowFullScreen));
        QCOMPARE(next->size(), before);
        QVERIFY(next->headStatsDock()->isVisible());
    }

    // Presentation mode from the command line shows its hint before the window opens; the
    // result's line was once painted over it, neither readable on the projector.
    void aMessageShownBeforeTheWindowOpensHidesTheResultsLine()
    {
        Settings settings;
        settings.text = sentence;
        const auto window = std::make_unique<MainWindow>(settings);
        window->setPresentationMode(true);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QVERIFY(windowSettled(*window));
        QVERIFY(window->statusBar()->currentMessage().startsWith(u"Presentation mode"_qs));
        auto* line = window->findChild<QLabel*>(u"status"_qs);
        QVERIFY(line);
        QVERIFY(!line->text().isEmpty());
        QVERIFY(!line->isVisible());
        window->statusBar()->clearMessage();
        QVERIFY(line->isVisible());
        window->setPresentationMode(false);
    }

    // A window size saved on a screen of another size (another scale factor, another monitor)
    // once came back shrunk at every start; it gives way to the first start's size.
    void aWindowSizeSavedOnAnotherScreenGivesWayToTheDefault()
    {
        m_window->resize(700, 500);
        QVERIFY(m_window->close());
        QSettings store;
        Settings remembered = Settings::load(store);
        QVERIFY(remembered.geometryScreen.isValid());
        remembered.geometryScreen += QSize(400, 300);
        const auto next = std::make_unique<MainWindow>(remembered);
        next->show();
        QVERIFY(QTest::qWaitForWindowExposed(next.get()));
        QCOMPARE(next->size(), QSize(1400, 860).boundedTo(next->screen()->availableGeometry().size() * 0.95));
        QVERIFY(next->headStatsDock()->isVisible()); // the docks' layout is still restored
    }

    void everyViewFitsA720pSlideWithoutOverlappingLabels_data()
    {
        QTest::addColumn<bool>("presentation");
        QTest::addColumn<bool>("cross");
        QTest::addColumn<int>("view");
        QTest::addColumn<int>("head");
        for (bool presentation : {false, true})
            for (bool cross : {false, true}) {
                const char* mode = presentation ? "presentation" : "standard";
                const char* kind = cross ? "cross" : "self";
                QTest::addRow("heads, %s, %s", mode, kind) << presentation << cross << int(ViewId::Heads) << 0;
                QTest::addRow("head:1, %s, %s", mode, kind) << presentation << cross << int(ViewId::HeadDetail) << 0;
                QTest::addRow("links, %s, %s", mode, kind) << presentation << cross << int(ViewId::TokenLinks) << 0;
                QTest::addRow("steps, %s, %s", mode, kind) << presentation << cross << int(ViewId::Steps) << 1;
            }
    }
    void everyViewFitsA720pSlideWithoutOverlappingLabels()
    {
        QFETCH(bool, presentation);
        QFETCH(bool, cross);
        QFETCH(int, view);
        QFETCH(int, head);
        if (cross)
            QVERIFY(setInputs(target, source, 4));
        m_window->setPresentationMode(presentation);
        m_window->selectHead(head);
        Focus focus = m_window->sharedFocus();
        focus.pinnedQueries = {3};
        m_window->shareFocus(focus);
        const ViewId id = ViewId(view);
        const Figure figure = m_window->figure(id, slide);
        QCOMPARE(figure.options.look.presentation, presentation);
        const attn::Trace& trace = *m_window->trace();
        QCOMPARE(trace.isCross(), cross);

        const QImage image = renderImage(figure, trace);
        QCOMPARE(image.size(), slide);
        QVERIFY2(distinctColours(image, 3) > 12, "the figure looks blank");
        keepImage(image, viewKind(id).key + (presentation ? u"-presentation"_qs : u"-standard"_qs)
                             + (cross ? u"-cross"_qs : u"-self"_qs));

        const QList<DrawnText> texts = recordDrawnText(figure.paint, slide, trace, figure.options);
        QVERIFY(texts.size() > 8);
        const QStringList problems = overlappingTexts(texts, slide);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 5).join(u"; "_qs)));
        // Token labels are there: the first query token and (cross) a source token.
        const auto drawn = [&texts](const QString& word) {
            return std::any_of(texts.begin(), texts.end(), [&word](const DrawnText& t) { return t.text.contains(word); });
        };
        QVERIFY(drawn(cross ? u"chat"_qs : u"cat"_qs));
        if (cross && id != ViewId::Steps) // the steps show a window of keys around the one opened
            QVERIFY(drawn(u"sleeping"_qs));
    }

    void crossAttentionIsTargetBySourceInEveryView()
    {
        QVERIFY(setInputs(target, source, 3));
        QVERIFY2(m_window->errorText().isEmpty(), qPrintable(m_window->errorText()));
        const attn::Trace& trace = *m_window->trace();
        QVERIFY(trace.isCross());
        const int nq = 6, nk = 8;
        QCOMPARE(int(trace.queryCount()), nq);
        QCOMPARE(int(trace.keyCount()), nk);
        QCOMPARE(trace.weights.shape, (std::vector<std::size_t>{3, std::size_t(nq), std::size_t(nk)}));
        const QRect cells(0, 0, nk, nq); // x: keys, y: queries

        for (const ViewKind& kind : viewKinds()) {
            m_window->showView(kind.id);
            QVERIFY2(distinctColours(m_window->view(kind.id)->grab().toImage()) > 20, qPrintable(kind.key));
        }
        const ViewOptions options = m_window->view(ViewId::Heads)->options();
        const QRectF page(QPointF(0, 0), QSizeF(slide));
        const HeadsLayout heads = layoutHeads(page, trace, options);
        QCOMPARE(int(heads.matrices.size()), 3);
        for (const MatrixGeometry& m : heads.matrices)
            QCOMPARE(m.cells, cells);
        QCOMPARE(layoutHeadDetail(page, trace, options).matrix.cells, cells);
        const TokenLinksLayout links = layoutTokenLinks(page, trace, options);
        QCOMPARE(int(links.queries.size()), nq);
        QCOMPARE(int(links.keys.size()), nk);
        const StepsLayout steps = computeStepsLayout(page, trace, options);
        QCOMPARE(steps.matrix(StepId::Weights)->rows, nq);
        QCOMPARE(steps.matrix(StepId::Weights)->columns, nk);

        // Hovering a source token's column in the heads view is a key of the source text.
        m_window->showView(ViewId::Heads);
        ViewWidget* headsView = m_window->view(ViewId::Heads);
        const HeadsLayout shown = layoutHeads(QRectF(headsView->rect()), trace, headsView->options());
        QTest::mouseMove(headsView, shown.matrices[0].cellRect(nk - 1, 0).center().toPoint());
        QCOMPARE(m_window->sharedFocus().hoverKey, nk - 1);
        QCOMPARE(stepsFollow().key, nk - 1);
    }

    void headStatsDockSortsAndSelectsAHead()
    {
        QDockWidget* dock = m_window->headStatsDock();
        QVERIFY(dock);
        QCOMPARE(dock->windowTitle(), u"Head statistics"_qs);
        QTableView* table = m_window->headStatsTable();
        QAbstractItemModel* model = table->model();
        QCOMPARE(model->rowCount(), 4);

        // A new trace refills the table.
        control<QSpinBox>("heads")->setValue(6);
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 6);

        table->sortByColumn(HeadStatsModel::Entropy, Qt::DescendingOrder);
        for (int row = 1; row < model->rowCount(); ++row)
            QVERIFY(model->index(row - 1, HeadStatsModel::Entropy).data(HeadStatsModel::SortRole).toDouble()
                    >= model->index(row, HeadStatsModel::Entropy).data(HeadStatsModel::SortRole).toDouble());

        // Double-clicking a row selects its head in every view.
        const int row = 2;
        const int head = model->index(row, HeadStatsModel::Head).data(HeadStatsModel::SortRole).toInt() - 1;
        const QRect cell = table->visualRect(model->index(row, HeadStatsModel::Pattern));
        QVERIFY(!cell.isEmpty());
        // A double-click is a press, a release, then a press that the platform reports as double.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(m_window->sharedFocus().head, head);
        for (const ViewKind& kind : viewKinds())
            QCOMPARE(m_window->view(kind.id)->options().focus.head, head);
        QCOMPARE(m_window->controls()->detailHead(), head);
        QCOMPARE(stepsFollow().head, head);

        // From the keyboard: Down, then Enter, selects the next row's head; Tab leaves the
        // table rather than walking its cells.
        const int nextHead = model->index(row + 1, HeadStatsModel::Head).data(HeadStatsModel::SortRole).toInt() - 1;
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Down);
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(m_window->sharedFocus().head, nextHead);
        const QModelIndex current = table->currentIndex();
        QTest::keyClick(table, Qt::Key_Tab);
        QCOMPARE(table->currentIndex(), current);
    }

    void examplesSetTextAndSource()
    {
        const QList<Example>& examples = m_window->examples();
        QVERIFY(examples.size() >= 5);
        const auto cross = std::find_if(examples.begin(), examples.end(), [](const Example& e) { return e.sourceText.has_value(); });
        QVERIFY(cross != examples.end());
        m_window->applyExample(*cross);
        QCOMPARE(m_window->controls()->text(), cross->text);
        QCOMPARE(m_window->controls()->sourceText(), *cross->sourceText);
        QVERIFY(settle());
        QVERIFY(m_window->trace()->isCross());

        const auto self = std::find_if(examples.begin(), examples.end(), [](const Example& e) { return !e.sourceText; });
        m_window->applyExample(*self);
        QVERIFY(settle());
        QVERIFY(m_window->controls()->sourceText().isEmpty());
        QVERIFY(!m_window->trace()->isCross());
        QCOMPARE(m_window->controls()->text(), self->text);
    }
};

ATTN_GUI_TEST_MAIN(TestWindowClassroom)
#include "test_window_classroom.moc"
