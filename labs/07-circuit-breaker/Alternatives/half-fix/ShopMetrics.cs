using System.Diagnostics.Metrics;

namespace Lab07;

/// <summary>The shop's own figures: calls to the payment provider, checkouts by result, and the database pool.</summary>
public sealed class ShopMetrics
{
    public const string MeterName = "Lab07.Shop";

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _checkouts;
    private readonly Histogram<double> _poolWait;
    private string _breaker = "closed"; // the payment breaker's state, for dashboards and alerts

    public ShopMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _calls = _meter.CreateCounter<long>("shop.payment.calls", "{call}",
            "Calls sent to the payment provider, retries included, by outcome: ok, declined, error (5xx), timeout, failed (no answer).");
        _checkouts = _meter.CreateCounter<long>("shop.checkouts", "{checkout}", "Checkouts answered, by result.");
        _poolWait = _meter.CreateHistogram<double>("shop.db.pool.wait", "s", "How long callers waited for a database connection.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 15] });
        // 1 for the state the payment breaker is in, 0 for the others
        _meter.CreateObservableGauge("shop.payment.breaker.state", () => ((string[])["closed", "open", "half_open"]).Select(state =>
            new Measurement<int>(state == Volatile.Read(ref _breaker) ? 1 : 0, new KeyValuePair<string, object?>("state", state))),
            description: "The payment circuit breaker: 1 for its state now.");
    }

    // the breaker reports each change of state here
    public ValueTask BreakerIs(string state)
    {
        Volatile.Write(ref _breaker, state);
        return ValueTask.CompletedTask;
    }

    public void Called(string outcome) => _calls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void CheckedOut(string result) => _checkouts.Add(1, new KeyValuePair<string, object?>("result", result));

    public void WaitedForConnection(TimeSpan waited) => _poolWait.Record(waited.TotalSeconds);

    public void ObservePool(Func<int> inUse, Func<int> waiting)
    {
        _meter.CreateObservableGauge("shop.db.pool.in_use", inUse, "{connection}", "Database connections in use.");
        _meter.CreateObservableGauge("shop.db.pool.waiting", waiting, "{caller}", "Callers waiting for a database connection.");
    }
}
