using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Lab07.Tests;

/// <summary>
/// A customer's money is neither lost nor taken twice, whatever happens around a charge: a customer who hangs up while
/// the provider takes it still has a paid order; a charge the provider never answered is paid again under the order's
/// own idempotency key, never under a new order's. The provider is a fake that takes a charge per key on arrival and
/// answers a repeated key with the charge it took.
/// </summary>
public sealed class MoneySpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Checkout_CustomerHangsUpWhileTheProviderCharges_IsRecordedAsPaid(LabTarget target)
    {
        // Arrange: the provider takes the charge on arrival and answers 300 ms later.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Slow(TimeSpan.FromMilliseconds(300)));
        await using var app = target.StartOnKestrel(Shop.Settings(provider, ("Lab:PaymentTimeoutMs", "10000"), ("Lab:AttemptTimeoutMs", "5000")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));

        // Act: the customer hangs up once the charge has reached the provider; the order is read once the shop has
        // finished with the checkout. A fresh shop numbers its first order ord-000001.
        using (var hangUp = new CancellationTokenSource())
        {
            var checkout = client.PostAsJsonAsync(new Uri("/api/checkout", UriKind.Relative), Shop.Cart, hangUp.Token);
            await provider.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));
            await hangUp.CancelAsync();
            try { (await checkout).Dispose(); }
            catch (OperationCanceledException) { }
        }
        var idle = await app.IdleAsync(TimeSpan.FromSeconds(20));
        var charges = await provider.KeysTakenAsync();
        var order = await Shop.GetAsync(client, "/api/orders/ord-000001");
        var reference = order.Code == 200 ? JsonDocument.Parse(order.Body).RootElement.GetProperty("paymentReference").GetString() : null;
        output.WriteLine($"shop idle: {idle}; charges taken: {charges}; order: {order} {order.Body}");

        // Assert
        Symptom.Absent(idle && charges == 1 && reference is not null, string.Create(CultureInfo.InvariantCulture,
            $"a customer hung up while the provider took the charge ({charges} taken); {(idle ? "once the shop was done" : "after 20 s, with the checkout still running")}, " +
            $"GET /api/orders/ord-000001 answered {order.Code} with payment reference {reference ?? "none"}; expected the order paid with the provider's reference: the money was taken."));
    }

    [Incident("broken")]
    public async Task Customer_AfterACheckoutTheProviderNeverAnswered_IsChargedOnce(LabTarget target)
    {
        // Arrange: the provider takes the charge and never answers; each try gets 150 ms, the whole charge 400 ms.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Shop.Settings(provider, ("Lab:PaymentTimeoutMs", "400"), ("Lab:AttemptTimeoutMs", "150")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));
        var first = await Shop.CheckoutAsync(client);

        // Act: the provider recovers, and the customer does what the answer says: pays the order again where it names
        // a way to, or else checks out again.
        await provider.SetAsync(DownstreamBehaviour.Ok);
        var payAgain = PayAgainLink(first);
        Answer second;
        if (payAgain is not null)
        {
            using var response = await client.PostAsJsonAsync(new Uri(payAgain, UriKind.Relative), new { cardToken = "tok_visa4242" });
            second = new Answer(response.StatusCode, TimeSpan.Zero, response.Content.Headers.ContentType?.MediaType, null, await response.Content.ReadAsStringAsync());
        }
        else
        {
            second = await Shop.CheckoutAsync(client);
        }
        var charges = await provider.KeysTakenAsync();
        output.WriteLine($"first: {first} {first.Body}; then {(payAgain ?? "a new checkout")}: {second} {second.Body}; charges taken: {charges}");

        // Assert
        Symptom.Absent(charges == 1 && second.Status is HttpStatusCode.Created or HttpStatusCode.OK, string.Create(CultureInfo.InvariantCulture,
            $"a checkout the provider took and never answered was answered {first.Code} ({(payAgain is null ? "no way to pay that order again" : $"pay again at {payAgain}")}); " +
            $"the customer's {(payAgain is null ? "second checkout" : "payment of the same order")} was answered {second.Code}, and the provider took {charges} charges; " +
            $"expected one charge and a paid order: an unanswered charge may have been taken, and is paid again under the same order's key."));
    }

    private static string? PayAgainLink(Answer answer)
    {
        if (answer.MediaType != "application/problem+json") return null;
        using var problem = JsonDocument.Parse(answer.Body);
        return problem.RootElement.TryGetProperty("payAgain", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
    }
}

/// <summary>
/// A charge the provider took is recorded even when every database connection stays in use for longer than a caller
/// waits for one: the test takes the service's own pool, as a burst of other requests would. The pool is read on
/// <c>/metrics</c>, so this runs with no other shop in the test process.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class RecordDuringPoolStallSpec(ITestOutputHelper output)
{
    [Guard]
    public async Task Checkout_PoolBusyWhenTheChargeReturns_IsRecordedAsPaid(LabTarget target)
    {
        // Arrange: a pool of 4 whose callers wait 100 ms for a connection; the provider takes the charge and holds its
        // answer until the test lets it go.
        const int pool = 4;
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Shop.Settings(provider,
            ("Lab:PaymentTimeoutMs", "30000"), ("Lab:AttemptTimeoutMs", "30000"), ("Lab:DbPoolSize", $"{pool}"), ("Lab:DbWaitTimeoutMs", "100")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));

        // Act: once the charge is at the provider, the test takes every free connection, then the provider answers; the
        // connections are given back once a caller's wait for one has run out (or the checkout has answered).
        var checkout = Shop.CheckoutAsync(client);
        await provider.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));
        var heldByCheckout = (int)(await ServiceMetrics.ReadAsync(client, "shop_db_pool_in_use") ?? 0);
        var taken = await TakeConnectionsAsync(app, target, pool - heldByCheckout);
        var waitsBefore = await ServiceMetrics.ReadAsync(client, "shop_db_pool_wait_seconds_count") ?? 0;
        await provider.SetAsync(DownstreamBehaviour.Ok);
        using var stopWatching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waitRanOut = WaitForWaitsAsync(client, waitsBefore + 1, stopWatching.Token);
        await Task.WhenAny(checkout, waitRanOut);
        var stalled = waitRanOut.IsCompletedSuccessfully;
        await stopWatching.CancelAsync();
        foreach (var connection in taken) await connection.DisposeAsync();
        var answer = await checkout.WaitAsync(TimeSpan.FromSeconds(30));
        var order = await Shop.GetAsync(client, "/api/orders/ord-000001");
        var reference = order.Code == 200 ? JsonDocument.Parse(order.Body).RootElement.GetProperty("paymentReference").GetString() : null;
        output.WriteLine($"checkout held {heldByCheckout} connection(s), the test took {taken.Count}; a wait ran out while taken: {stalled}; " +
                         $"checkout: {answer} {answer.Body}; order: {order} {order.Body}");

        // Assert
        reference.Should().NotBeNull(string.Create(CultureInfo.InvariantCulture,
            $"the provider took the charge while all {pool} connections were in use ({(stalled ? "a caller's 100 ms wait ran out before they came back" : "no wait ran out")}), " +
            $"the checkout answered {answer.Code}, and GET /api/orders/ord-000001 answered {order.Code} with no payment reference; a charge taken must be recorded once a connection is free"));
    }

    // The service's own pool, taken as its endpoints take it: the variant's ShopDatabase from its container, its
    // connections opened through its public OpenAsync. The type is looked up by name, as each variant compiles its own.
    private static async Task<List<IAsyncDisposable>> TakeConnectionsAsync(LabApp app, LabTarget target, int count)
    {
        var type = target.Marker.Assembly.GetType("Lab07.Data.ShopDatabase", throwOnError: true)!;
        var database = app.Services.GetService(type) ?? throw new InvalidOperationException($"{target.Name} registers no {type.Name}.");
        var open = type.GetMethod("OpenAsync", [typeof(CancellationToken)]) ?? throw new InvalidOperationException($"{type.Name} has no OpenAsync(CancellationToken).");
        var taken = new List<IAsyncDisposable>();
        for (var i = 0; i < count; i++)
        {
            var task = (Task)open.Invoke(database, [CancellationToken.None])!;
            await task;
            taken.Add((IAsyncDisposable)task.GetType().GetProperty("Result")!.GetValue(task)!);
        }
        return taken;
    }

    private static async Task WaitForWaitsAsync(HttpClient client, double waits, CancellationToken ct)
    {
        while ((await ServiceMetrics.ReadAsync(client, "shop_db_pool_wait_seconds_count", ct) ?? 0) < waits)
            await Task.Delay(10, ct);
    }
}
