#include "failure_text.h"

#include <attn/error.h>

#include <new>

QString failureText(const std::exception_ptr& failure, const QString& whileDoing, const QString& remedy)
{
    try {
        std::rethrow_exception(failure);
    } catch (const attn::Error& error) {
        return QString::fromStdString(error.what());
    } catch (const std::bad_alloc&) {
        return u"Not enough memory "_qs + whileDoing + u"; "_qs + remedy + u'.';
    } catch (const std::exception& error) {
        return u"Failed "_qs + whileDoing + u": "_qs + QString::fromStdString(error.what());
    } catch (...) {
        return u"Failed "_qs + whileDoing + u'.';
    }
}

QString fallbackText(const std::string& reason, const std::string& backend)
{
    QString text = QString::fromStdString(reason);
    if (text.endsWith(u'.'))
        text.chop(1);
    return text + u"; ran "_qs + QString::fromStdString(backend) + u" instead."_qs;
}
