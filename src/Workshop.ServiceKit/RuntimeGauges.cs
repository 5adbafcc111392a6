using System.Diagnostics.Metrics;

namespace Workshop.ServiceKit;

/// <summary>
/// Single-number runtime gauges the charts read directly. The runtime's own meter reports the heap per
/// generation; the labs want the total, and the thread pool queue under the same name on every service.
/// </summary>
public sealed class RuntimeGauges : IDisposable
{
    public const string MeterName = "Workshop.Runtime";
    private static readonly TimeSpan QueueSampleInterval = TimeSpan.FromMilliseconds(50);

    private readonly Meter _meter;
    private readonly Thread _queueWatch;
    private readonly CancellationTokenSource _stop = new();
    // Smoothing of the queue's moving average: a one-second time constant at one sample every 50 ms.
    private static readonly double Smoothing = 1 - Math.Exp(-QueueSampleInterval.TotalSeconds / 1.0);
    private long _queuePeak;
    private double _queueAverage;

    public RuntimeGauges(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("dotnet.gc.heap.size", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By",
            "Managed heap size measured at the last garbage collection.");
        _meter.CreateObservableGauge("dotnet.gc.total_memory", () => GC.GetTotalMemory(false), "By",
            "Bytes currently thought to be allocated on the managed heap, garbage included.");
        _meter.CreateObservableGauge("workshop.thread_pool.queue.length", () => ThreadPool.PendingWorkItemCount, "{work_item}",
            "Work items queued to the thread pool and not yet started.");
        _meter.CreateObservableGauge("workshop.thread_pool.queue.peak", () => Interlocked.Exchange(ref _queuePeak, 0), "{work_item}",
            "The longest thread pool queue seen since the previous scrape, sampled every 50 ms.");
        _meter.CreateObservableGauge("workshop.thread_pool.queue.average", () => Volatile.Read(ref _queueAverage), "{work_item}",
            "The thread pool queue's moving average over about a second: a busy pool drains, a starved one stays full.");
        _meter.CreateObservableGauge("workshop.thread_pool.threads", () => ThreadPool.ThreadCount, "{thread}",
            "Thread pool threads that currently exist.");

        // A starved pool delays every scrape, so the queue it had while starved would never be seen by one.
        // A dedicated thread (not a pool thread: those are what is missing) keeps the peak between scrapes.
        _queueWatch = new Thread(WatchQueue) { IsBackground = true, Name = "workshop thread pool queue watch" };
        _queueWatch.Start();
    }

    private void WatchQueue()
    {
        while (!_stop.Token.WaitHandle.WaitOne(QueueSampleInterval))
        {
            var length = ThreadPool.PendingWorkItemCount;
            long seen;
            while (length > (seen = Interlocked.Read(ref _queuePeak)) && Interlocked.CompareExchange(ref _queuePeak, length, seen) != seen) { }
            Volatile.Write(ref _queueAverage, _queueAverage + Smoothing * (length - _queueAverage));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _queueWatch.Join();
        _stop.Dispose();
        _meter.Dispose();
    }
}
