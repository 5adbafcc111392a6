using System.Net.Http.Json;
using System.Text.Json;
using Lab07.Data;

namespace Lab07.Checkout;

/// <summary>The payment provider's API: <c>POST /v1/charges</c>, one charge per order, keyed by the order so a repeat is safe.</summary>
public sealed class PaymentClient(HttpClient http)
{
    public async Task<PaymentResult> ChargeAsync(Order order, string cardToken, CancellationToken ct)
    {
        try
        {
            using var request = Charge(order, cardToken);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.IsSuccessStatusCode) return new PaymentResult.Paid(await ReferenceAsync(response, ct));
            if ((int)response.StatusCode < 500) return new PaymentResult.Declined((int)response.StatusCode);
            return new PaymentResult.Failed($"the provider answered {(int)response.StatusCode}");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new PaymentResult.Failed("payments are paused while the provider is down");
        }
        catch (Polly.Timeout.TimeoutRejectedException timeout)
        {
            return new PaymentResult.TimedOut(timeout.Timeout);
        }
        catch (HttpRequestException)
        {
            return new PaymentResult.Failed("the connection to the provider failed");
        }
    }

    private static HttpRequestMessage Charge(Order order, string cardToken) => new(HttpMethod.Post, "/v1/charges")
    {
        Headers = { { "Idempotency-Key", order.Id } },
        Content = JsonContent.Create(new { orderId = order.Id, amount = order.Total, currency = "EUR", source = cardToken }),
    };

    // The provider's answer starts with a line that describes the charge; its sequence number is our reference.
    private static async Task<string> ReferenceAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var first = await reader.ReadLineAsync(ct) ?? throw new HttpRequestException("The payment provider sent an empty answer.");
        using var json = JsonDocument.Parse(first);
        return $"ch_{json.RootElement.GetProperty("sequence").GetInt64()}";
    }
}
