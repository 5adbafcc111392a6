using System.Diagnostics.Metrics;
using System.Reflection;

namespace Lab02.Reports;

/// <summary>The lab's own figures on /metrics.</summary>
public sealed class ReportMetrics
{
    public const string MeterName = "Lab02.Reports";

    private readonly Counter<long> _rendered;
    private readonly Counter<long> _renderedBytes;

    public ReportMetrics(IMeterFactory meterFactory, IHostApplicationLifetime lifetime)
    {
        var meter = meterFactory.Create(MeterName);
        _rendered = meter.CreateCounter<long>("reports.rendered", "{report}", "Reports rendered.");
        _renderedBytes = meter.CreateCounter<long>("reports.rendered.size", "By", "Bytes of rendered reports.");
        var stopping = lifetime.ApplicationStopping;
        meter.CreateObservableGauge("app.stopping.callbacks", () => CallbackCount.Of(stopping), "{callback}",
            "Callbacks registered on the application-stopping token and not removed yet, by any code in the process.");
    }

    public void Rendered(long bytes)
    {
        _rendered.Add(1);
        _renderedBytes.Add(bytes);
    }

    /// <summary>
    /// How many callbacks a cancellation token holds. The runtime keeps no public count, so this walks the token
    /// source's private list of callbacks (without its lock: a gauge may be off by the registrations racing it).
    /// It reports nothing at all, rather than a wrong number, if the runtime's internals are not the expected ones.
    /// </summary>
    private static class CallbackCount
    {
        private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        private static readonly FieldInfo? Source = typeof(CancellationToken).GetField("_source", Private);
        private static readonly FieldInfo? Registrations = typeof(CancellationTokenSource).GetField("_registrations", Private);
        private static readonly FieldInfo? Callbacks = Registrations?.FieldType.GetField("Callbacks");
        private static readonly FieldInfo? Next = Callbacks?.FieldType.GetField("Next");

        public static IEnumerable<Measurement<long>> Of(CancellationToken token)
        {
            if (Source is null || Registrations is null || Callbacks is null || Next is null) yield break;
            var registrations = Source.GetValue(token) is CancellationTokenSource source ? Registrations.GetValue(source) : null;
            long count = 0;
            for (var node = registrations is null ? null : Callbacks.GetValue(registrations); node is not null; node = Next.GetValue(node)) count++;
            yield return new Measurement<long>(count);
        }
    }
}
