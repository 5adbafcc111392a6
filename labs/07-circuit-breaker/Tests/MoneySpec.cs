using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Workshop.TestKit;
using Workshop.Toolkit;
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
