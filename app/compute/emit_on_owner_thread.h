// Worker threads hand their results to the thread that owns a QObject.
#pragma once

#include <QMetaObject>
#include <QObject>

#include <utility>

// Runs `emitSignal` on the thread that owns `owner` (the UI thread for the compute
// services), so that every connection to the owner's signals, direct ones and signal spies
// included, fires on that thread and never races with it. Dropped if `owner` is gone.
template <typename EmitSignal>
void emitOnOwnerThread(QObject* owner, EmitSignal&& emitSignal)
{
    QMetaObject::invokeMethod(owner, std::forward<EmitSignal>(emitSignal), Qt::QueuedConnection);
}
