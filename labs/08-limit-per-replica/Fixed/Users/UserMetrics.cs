using System.Diagnostics.Metrics;

namespace Lab08.Users;

/// <summary>The lookup API's own figures.</summary>
public sealed class UserMetrics
{
    public const string MeterName = "Lab08.Users";

    private readonly Meter _meter;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _local; // FIX: requests the store could not decide

    public UserMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _lookups = meter.CreateCounter<long>("users.lookups", "{lookup}", "User lookups, by outcome.");
        _rejected = meter.CreateCounter<long>("users.rejected", "{request}", "Requests rejected before any work, by the policy that rejected them.");
        _local = meter.CreateCounter<long>("users.limiter.local", "{request}", "Requests decided by this replica's share of the limit because Redis could not be reached."); // FIX: an outage of the store shows

    }

    public void Looked(string outcome) => _lookups.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Rejected(string policy) => _rejected.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void DecidedLocally() => _local.Add(1); // FIX

    // FIX: whether this replica reaches the store now: 0 while it decides alone
    public void WatchStore(Func<bool> connected) =>
        _meter.CreateObservableGauge("users.limiter.store.up", () => connected() ? 1 : 0, "{bool}", "1 while this replica reaches Redis, where the callers' buckets are shared.");
}
