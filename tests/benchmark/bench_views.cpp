// Paint times of the views and the time from a text edit to repainted views. Prints a
// table; not a test. Run: QT_QPA_PLATFORM=offscreen bench_views [GPT2_FOLDER]
// With a GPT-2 model folder (bench_model writes a GPT-2-small one, whose path it prints),
// also the time from appending a word to a 256-token text to the repainted view.
#include "model/model_mode.h"
#include "views/view_registry.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"

#include <attn/engine.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace {

QString words(int count, int variant)
{
    const QStringList pool = {u"the"_qs, u"cat"_qs, u"chased"_qs, u"a"_qs, u"mouse"_qs, u"under"_qs, u"old"_qs, u"table"_qs};
    QStringList out;
    for (int i = 0; i < count; ++i)
        out << pool[(i + variant) % pool.size()];
    return out.join(u' ');
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

// The median of `repeats` paints of the view into a window-sized image.
double paintMs(ViewId id, const attn::Trace& trace, int repeats)
{
    ViewOptions options;
    options.look = Appearance::standard();
    options.look.text = u"benchmark"_qs;
    const QSize size(1200, 800);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer timer;
        timer.start();
        QPainter painter(&image);
        viewKind(id).paint(painter, QRectF(QPointF(0, 0), QSizeF(size)), trace, options);
        painter.end();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    return median(times);
}

// The time from setting the text to the end of the view's repaint once the window shows
// that text's result. A result of an earlier text (one still computing when this edit
// came) is shown on the way and not counted.
double timeToRepaint(MainWindow& window, ViewWidget* view, const QString& text)
{
    QElapsedTimer timer;
    bool waiting = true;
    double ms = 0.0;
    const auto connection = QObject::connect(&window, &MainWindow::traceShown, [&] {
        if (!waiting || window.shownText() != text)
            return;
        view->repaint(); // what the event loop would do next, done now to time it
        ms = timer.nsecsElapsed() / 1e6;
        waiting = false;
    });
    QTimer limit; // a blocking wait, woken at the limit: waiting in a loop would take a core
    limit.setSingleShot(true);
    QObject::connect(&limit, &QTimer::timeout, [&] {
        QTextStream(stderr) << "bench_views: no result for the edit after 2 minutes (the window shows: "
                            << window.errorText() << ")\n";
        std::exit(1);
    });
    limit.start(120'000);
    timer.start();
    window.controls()->textEdit()->setPlainText(text);
    while (waiting)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    QObject::disconnect(connection);
    return ms;
}

// Median time from setting the text to the end of the current view's repaint.
double editToRepaintMs(MainWindow& window, ViewId id, int tokens, int repeats)
{
    window.showView(id);
    ViewWidget* view = window.view(id);
    std::vector<double> times;
    for (int i = 0; i < repeats + 2; ++i)
        times.push_back(timeToRepaint(window, view, words(tokens, i % 7 + 1)));
    times.erase(times.begin(), times.begin() + 2); // warm-up: first weights, first paint
    return median(times);
}

// Model mode: the median time from appending " word" to the text to the repainted view,
// the model computing only the new rows; the text goes back between the timed edits.
double appendToRepaintMs(MainWindow& window, ViewId id, const QString& base, int repeats)
{
    window.showView(id);
    ViewWidget* view = window.view(id);
    std::vector<double> times;
    for (int i = 0; i < repeats + 2; ++i) {
        timeToRepaint(window, view, base); // the way back is not timed
        times.push_back(timeToRepaint(window, view, base + u" word"_qs));
    }
    times.erase(times.begin(), times.begin() + 2); // warm-up: first storage, first paint
    return median(times);
}

void timeModelEdits(MainWindow& window, const QString& folder, QTextStream& out)
{
    bool open = false;
    QString failure;
    QObject::connect(window.modelMode(), &ModelMode::opened, [&] { open = true; });
    QObject::connect(window.modelMode(), &ModelMode::openFailed, [&](const QString& message) { failure = message; });
    window.openModel(folder, 0, u"heads"_qs);
    while (!open && failure.isEmpty())
        QApplication::processEvents(QEventLoop::WaitForMoreEvents);
    if (!open) {
        out << "\nmodel " << folder << " did not open: " << failure << '\n';
        return;
    }
    // As many words as make 256 of the model's tokens at most.
    QString text;
    for (int count = 1;; ++count) {
        const QString longer = words(count, 0);
        if (window.modelMode()->model()->tokenizer().encode(longer.toStdString()).ids.size() > 256)
            break;
        text = longer;
    }
    const std::size_t tokens = window.modelMode()->model()->tokenizer().encode(text.toStdString()).ids.size();
    const std::size_t appended =
        window.modelMode()->model()->tokenizer().encode(QString(text + u" word"_qs).toStdString()).ids.size();
    out << "\nModel mode, " << folder << ", layer 1: append \" word\" to a text of " << tokens << " tokens ("
        << appended << " after), to the\n"
        << "repainted view (the model's incremental rows, rollout and statistics included), median of 15\n";
    for (ViewId id : {ViewId::Heads, ViewId::TokenLinks})
        out << QStringLiteral("%1 %2 ms\n").arg(viewKind(id).name, -14).arg(appendToRepaintMs(window, id, text, 15), 8, 'f', 2);
    const ModelResultPtr& result = window.modelMode()->result();
    if (result)
        out << "(backend " << QString::fromStdString(result->trace->backend) << ", "
            << (result->trace->firstComputedRow > 0 ? "incremental" : "full") << " last pass)\n";
}

} // namespace

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_FONT_DPI", "96");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"attention-explorer-bench"_qs);
    QTextStream out(stdout);

    attn::Engine engine;
    out << "View paint times (1200 x 800 page, 12 heads, d_model 768, d_k 64; median)\n";
    out << QStringLiteral("%1 %2 %3\n").arg(u"n"_qs, 6).arg(u"Heads ms"_qs, 12).arg(u"Token links ms"_qs, 16);
    for (int n : {16, 64, 512, 2048}) {
        attn::Request request;
        request.text = words(n, 0).toStdString();
        request.config.d_model = 768;
        request.config.heads = 12;
        request.config.d_k = 64;
        const auto trace = engine.run(request);
        const int repeats = n >= 2048 ? 3 : (n >= 512 ? 7 : 21);
        out << QStringLiteral("%1 %2 %3\n")
                   .arg(n, 6)
                   .arg(paintMs(ViewId::Heads, *trace, repeats), 12, 'f', 2)
                   .arg(paintMs(ViewId::TokenLinks, *trace, repeats), 16, 'f', 2);
        out.flush();
    }

    Settings settings;
    settings.config.d_model = 768;
    settings.config.heads = 12;
    settings.config.d_k = 64;
    settings.text = words(64, 0);
    MainWindow window(settings);
    window.resize(1400, 900);
    window.show();
    out << "\nEdit to repainted view, n = 64, (d_model, h) = (768, 12), window 1400 x 900, median of 30\n";
    for (const ViewKind& kind : viewKinds())
        out << QStringLiteral("%1 %2 ms\n").arg(kind.name, -14).arg(editToRepaintMs(window, kind.id, 64, 30), 8, 'f', 2);
    out.flush();

    // A long text with the layer a new user starts with: statistics and paints, more than the
    // pass itself, decide how live it feels.
    const attn::Config defaults;
    window.controls()->setInputs(words(2000, 0), defaults);
    out << "\nEdit to repainted view, n = 2000, the default layer (d_model " << defaults.d_model << ", "
        << defaults.heads << " heads, d_k " << defaults.d_k << "), window 1400 x 900, median of 15\n";
    for (ViewId id : {ViewId::Heads, ViewId::TokenLinks})
        out << QStringLiteral("%1 %2 ms\n").arg(viewKind(id).name, -14).arg(editToRepaintMs(window, id, 2000, 15), 8, 'f', 2);
    out.flush();
    if (argc > 1)
        timeModelEdits(window, QString::fromLocal8Bit(argv[1]), out);
    return 0;
}
