using System.Diagnostics.Metrics;

namespace Lab10.Stock;

/// <summary>The stock API's own figures.</summary>
public sealed class StockMetrics
{
    public const string MeterName = "Lab10.Stock";

    private readonly Counter<long> _checks;
    private readonly Counter<long> _timeouts; // FIX: the table's exits other than an answer, counted.
    private readonly Counter<long> _refused;
    private readonly Counter<long> _late;

    public StockMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _checks = Meter.CreateCounter<long>("stock.checks", "{check}", "Basket stock checks, by outcome.");
        _timeouts = Meter.CreateCounter<long>("inventory.call_timeouts", "{call}", "Calls whose answer did not come by their deadline.");
        _refused = Meter.CreateCounter<long>("inventory.calls_refused", "{call}", "Calls refused because the table of pending calls was full.");
        _late = Meter.CreateCounter<long>("inventory.late_answers", "{answer}", "Answers that came after their call had given up.");
    }

    /// <summary>The meter, for instruments that observe another component.</summary>
    public Meter Meter { get; }

    public void Checked(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void TimedOut() => _timeouts.Add(1);

    public void Refused() => _refused.Add(1);

    public void LateAnswer() => _late.Add(1);
}
