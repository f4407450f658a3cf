// The window for a user without the mouse or without sight: names a screen reader can say,
// labels with Alt+letters, views that describe their selection, where the keys start and
// what they do, a steps page that follows the keys, check boxes that show in the dark.
#include "gui_test_main.h"
#include "window_fixture.h"

#include "views/steps_view.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"
#include "window/theme.h"

#include <QAccessible>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QStyleOptionButton>
#include <QTableView>

#include <algorithm>
#include <cmath>
#include <memory>

namespace {

const QString sentence = u"The cat that chased the mouse under the old wooden table was tired."_qs;

QString accessibleText(QObject* object, QAccessible::Text text)
{
    QAccessibleInterface* face = QAccessible::queryAccessibleInterface(object);
    return face ? face->text(text) : QString();
}

// What a screen reader calls a control. On Linux a combo box's name is its value, and what
// it is for comes from its label, as a relation.
QString spokenName(QWidget* control)
{
    QAccessibleInterface* face = QAccessible::queryAccessibleInterface(control);
    if (!qobject_cast<QComboBox*>(control))
        return face->text(QAccessible::Name);
    const auto labels = face->relations(QAccessible::Label);
    return labels.isEmpty() ? QString() : labels.first().first->text(QAccessible::Name);
}

// Words a speech synthesiser says as written: no subscripts (dₖ), roots or arrows.
bool plainWords(const QString& text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

// WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white).
double contrast(const QColor& a, const QColor& b)
{
    const auto luminance = [](const QColor& c) {
        const auto channel = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double x = luminance(a), y = luminance(b);
    return (std::max(x, y) + 0.05) / (std::min(x, y) + 0.05);
}

} // namespace

class TestAccessibility : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;

    bool settle() const { return windowSettled(*m_window); }

    // The controls a user reaches with Tab: every widget that takes the keys itself.
    QList<QWidget*> tabStops() const
    {
        QList<QWidget*> stops;
        for (QWidget* widget : m_window->controls()->findChildren<QWidget*>())
            if (widget->focusPolicy() & Qt::TabFocus && !widget->focusProxy() && widget->isVisibleTo(m_window.get()))
                stops << widget;
        return stops;
    }

private slots:
    void init()
    {
        m_window = openWindow(sentence, QSize(1400, 900));
        QVERIFY(m_window);
    }
    void cleanup() { m_window.reset(); }

    void everyControlHasANameAScreenReaderCanSay()
    {
        const QList<QWidget*> stops = tabStops();
        QVERIFY(stops.size() >= 15);
        for (QWidget* control : stops) {
            const QString name = spokenName(control);
            const QString what = control->objectName() + u": “"_qs + name + u'”';
            QVERIFY2(!name.isEmpty(), qPrintable(what));
            QVERIFY2(plainWords(name), qPrintable(what));
            // Not the title of the group it sits in, which every unlabelled control of it shared.
            QVERIFY2(name != u"Layer"_qs && name != u"Display"_qs, qPrintable(what));
        }
        auto* dk = m_window->controls()->findChild<QSpinBox*>(u"dk"_qs);
        QCOMPARE(spokenName(dk), u"Key size per head (d k)"_qs);
        QCOMPARE(spokenName(m_window->controls()->textEdit()), u"Text"_qs);
        QVERIFY(!m_window->controls()->textEdit()->toolTip().isEmpty());
        QVERIFY(!m_window->controls()->findChild<QWidget*>(u"headsSlider"_qs)->toolTip().isEmpty());
        QCOMPARE(accessibleText(m_window->headStatsTable(), QAccessible::Name), u"Head statistics"_qs);
    }

    // Alt and a label's underlined letter go to its control; no letter is the menu bar's or
    // another label's.
    void theFormLabelsTakeTheirControlsAltLetterWithoutClashes()
    {
        QStringList taken;
        for (QAction* menu : m_window->menuBar()->actions())
            taken << QKeySequence::mnemonic(menu->text()).toString();
        QStringList labels;
        for (const QLabel* label : m_window->findChildren<QLabel*>()) {
            const QString keys = QKeySequence::mnemonic(label->text()).toString();
            if (!label->buddy() || keys.isEmpty())
                continue;
            QVERIFY2(!taken.contains(keys), qPrintable(label->text() + u": "_qs + keys));
            taken << keys;
            labels << label->text();
        }
        // The text, the source and every row of the two forms.
        QVERIFY2(labels.size() >= 12, qPrintable(labels.join(u", "_qs)));
        // Every check box too: the mask, the scaling and the filter had no letter.
        for (const QCheckBox* box : m_window->controls()->findChildren<QCheckBox*>()) {
            const QString keys = QKeySequence::mnemonic(box->text()).toString();
            QVERIFY2(!keys.isEmpty(), qPrintable(box->text()));
            QVERIFY2(!taken.contains(keys), qPrintable(box->text() + u": "_qs + keys));
            taken << keys;
        }

        QApplication::setActiveWindow(m_window.get());
        QTest::keyClick(m_window.get(), Qt::Key_K, Qt::AltModifier);
        QTRY_COMPARE(QApplication::focusWidget(), m_window->controls()->findChild<QSpinBox*>(u"dk"_qs));
        QTest::keyClick(m_window.get(), Qt::Key_T, Qt::AltModifier);
        QTRY_COMPARE(QApplication::focusWidget(), m_window->controls()->textEdit());
        auto* causal = m_window->controls()->findChild<QCheckBox*>(u"causal"_qs);
        const bool wasCausal = causal->isChecked();
        QTest::keyClick(m_window.get(), Qt::Key_R, Qt::AltModifier);
        QTRY_COMPARE(causal->isChecked(), !wasCausal);
    }

    void eachViewIsNamedAndDescribesTheSelection()
    {
        for (const ViewKind& kind : viewKinds())
            QCOMPARE(accessibleText(m_window->view(kind.id), QAccessible::Name), kind.name + u" view"_qs);
        ViewWidget* heads = m_window->view(ViewId::Heads);
        QVERIFY(accessibleText(heads, QAccessible::Description).contains(u"no query selected"_qs));

        Focus focus = m_window->sharedFocus();
        focus.head = 1;
        focus.pinnedQueries = {1}; // "cat"
        focus.selectedKey = 0;     // "The"
        m_window->shareFocus(focus);
        for (const ViewKind& kind : viewKinds()) {
            const QString description = accessibleText(m_window->view(kind.id), QAccessible::Description);
            for (const QString& part : {u"Head 2 of"_qs, u"cat"_qs, u"The"_qs, u"weight 0."_qs})
                QVERIFY2(description.contains(part), qPrintable(kind.name + u": "_qs + description));
        }
        // The keys move the selection, and the description follows.
        m_window->showView(ViewId::HeadDetail);
        ViewWidget* detail = m_window->view(ViewId::HeadDetail);
        detail->setFocus();
        QTest::keyClick(detail, Qt::Key_Down);
        QVERIFY(accessibleText(detail, QAccessible::Description).contains(u"“that”"_qs));
        QVERIFY(accessibleText(heads, QAccessible::Description).contains(u"“that”"_qs));
    }

    // The user's first act is typing: the keys start in the text, not on an invisible
    // scroll area that kept them from the views.
    void theKeysStartInTheText()
    {
        QTRY_COMPARE(m_window->focusWidget(), m_window->controls()->textEdit());
        auto* side = qobject_cast<QScrollArea*>(m_window->controls()->parentWidget()->parentWidget());
        QVERIFY(side);
        QCOMPARE(side->focusPolicy(), Qt::NoFocus); // no tab stop that shows nothing
        // The rule stays: a view brought up while the text has the keys leaves them there.
        m_window->showView(ViewId::HeadDetail);
        QCOMPARE(m_window->focusWidget(), m_window->controls()->textEdit());
    }

    // The mouse's gestures have keys: + and - zoom the head detail around the selected cell,
    // as a drag does; S shows the selected head alone in the token links, as a double-click
    // on its swatch does.
    void plusAndMinusZoomTheHeadDetailAroundTheSelection()
    {
        m_window->showView(ViewId::HeadDetail);
        ViewWidget* detail = m_window->view(ViewId::HeadDetail);
        detail->setFocus();
        QTest::keyClick(detail, Qt::Key_Down); // selects a cell: the first query, its strongest key
        const Focus chosen = m_window->sharedFocus();
        const QPoint cell(chosen.selectedKey, chosen.selectedQuery());
        const QSize whole(int(m_window->trace()->keyCount()), int(m_window->trace()->queryCount()));
        QTest::keyClick(detail, Qt::Key_Plus, Qt::ShiftModifier);
        const QRect half = m_window->sharedFocus().zoom;
        QVERIFY(half.contains(cell));
        QCOMPARE(half.size(), QSize((whole.width() + 1) / 2, (whole.height() + 1) / 2));
        QVERIFY(QRect(QPoint(0, 0), whole).contains(half));
        QTest::keyClick(detail, Qt::Key_Equal); // + without Shift
        const QRect quarter = m_window->sharedFocus().zoom;
        QVERIFY(quarter.contains(cell) && half.contains(quarter) && quarter != half);
        QTest::keyClick(detail, Qt::Key_Minus);
        QCOMPARE(m_window->sharedFocus().zoom.size(), half.size());
        QTest::keyClick(detail, Qt::Key_Minus);
        QCOMPARE(m_window->sharedFocus().zoom, QRect()); // the whole matrix again
    }

    void sShowsTheSelectedHeadAloneInTheTokenLinks()
    {
        m_window->controls()->findChild<QSpinBox*>(u"heads"_qs)->setValue(3);
        QVERIFY(settle());
        m_window->showView(ViewId::TokenLinks);
        ViewWidget* links = m_window->view(ViewId::TokenLinks);
        links->setFocus();
        QTest::keyClick(links, Qt::Key_PageDown); // head 2
        QTest::keyClick(links, Qt::Key_S);
        QCOMPARE(m_window->sharedFocus().hiddenHeads, (QList<int>{0, 2}));
        QTest::keyClick(links, Qt::Key_PageDown); // head 3, then alone instead
        QTest::keyClick(links, Qt::Key_S);
        QCOMPARE(m_window->sharedFocus().hiddenHeads, (QList<int>{0, 1}));
        QTest::keyClick(links, Qt::Key_S);
        QVERIFY(m_window->sharedFocus().hiddenHeads.isEmpty());
    }

    void enterOnTheHeadsViewOpensTheSelectedHead()
    {
        m_window->controls()->findChild<QSpinBox*>(u"heads"_qs)->setValue(4);
        QVERIFY(settle());
        for (const auto& [key, modifiers] : {std::pair{Qt::Key_Return, Qt::KeyboardModifiers()},
                                             std::pair{Qt::Key_Enter, Qt::KeyboardModifiers(Qt::KeypadModifier)}}) {
            m_window->showView(ViewId::Heads);
            ViewWidget* heads = m_window->view(ViewId::Heads);
            heads->setFocus();
            QTest::keyClick(heads, Qt::Key_PageDown); // head 2
            QTest::keyClick(heads, key, modifiers);
            QCOMPARE(m_window->currentView()->viewId(), ViewId::HeadDetail);
            QCOMPARE(m_window->sharedFocus().head, 1);
            m_window->selectHead(0);
        }
    }

    // In a small window the steps scroll; the arrow keys move the selection, and the page
    // follows it, so the chosen weight stays in sight.
    void theStepsPageFollowsTheSelectionMovedByTheKeys()
    {
        m_window->resize(1280, 720);
        m_window->showView(ViewId::Steps);
        ViewWidget* steps = m_window->view(ViewId::Steps);
        auto* scroll = qobject_cast<QScrollArea*>(steps->parentWidget()->parentWidget());
        QVERIFY(scroll);
        QTRY_VERIFY(scroll->horizontalScrollBar()->maximum() > 0); // the page is wider than the window
        steps->setFocus();
        const int keys = int(m_window->trace()->keyCount());
        QTest::keyClick(steps, Qt::Key_Up); // pins the last token, with its strongest key
        for (int i = 0; i < keys; ++i)
            QTest::keyClick(steps, Qt::Key_Right);
        QCOMPARE(m_window->sharedFocus().selectedKey, keys - 1);

        const StepsLayout layout = computeStepsLayout(QRectF(steps->rect()), *steps->trace(), steps->options());
        const StepMatrix* weights = layout.matrix(StepId::Weights);
        QVERIFY(weights);
        const auto cell = std::find_if(weights->cells.cbegin(), weights->cells.cend(), [&](const StepCell& c) {
            return c.row == weights->highlightRow && c.column == keys - 1;
        });
        QVERIFY(cell != weights->cells.cend());
        const QRect inViewport(steps->mapTo(scroll->viewport(), cell->rect.topLeft().toPoint()), cell->rect.size().toSize());
        QVERIFY(scroll->horizontalScrollBar()->value() > 0);
        QVERIFY2(scroll->viewport()->rect().contains(inViewport),
                 qPrintable(u"cell at %1,%2 %3x%4 in a viewport of %5x%6"_qs.arg(inViewport.x()).arg(inViewport.y())
                                .arg(inViewport.width()).arg(inViewport.height()).arg(scroll->viewport()->width())
                                .arg(scroll->viewport()->height())));
    }

    // Fusion's unticked box was a dark square in a darker frame on the dark window.
    void anUntickedCheckBoxShowsOnTheDarkTheme()
    {
        m_window->setTheme(Theme::Dark);
        auto* box = m_window->controls()->findChild<QCheckBox*>(u"hideFirst"_qs);
        QVERIFY(!box->isChecked());
        QTRY_VERIFY(box->palette().color(QPalette::Window).lightness() < 128); // the palette reaches it a moment later
        QStyleOptionButton option;
        option.initFrom(box);
        const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
        const QImage image = box->grab().toImage();
        const QColor window = box->palette().color(QPalette::Window);
        double strongest = 1.0;
        for (int y = indicator.top(); y <= indicator.bottom(); ++y)
            for (int x = indicator.left(); x <= indicator.right(); ++x)
                strongest = std::max(strongest, contrast(image.pixelColor(x, y), window));
        m_window->setTheme(Theme::System);
        QVERIFY2(strongest >= 3.0, qPrintable(QString::number(strongest))); // what edges of controls need
    }
};

ATTN_GUI_TEST_MAIN(TestAccessibility)
#include "test_accessibility.moc"
