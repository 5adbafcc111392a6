using System.Net.Http.Json;
using System.Text.Json;
using Lab07.Data;
using Microsoft.Extensions.Options;

namespace Lab07.Checkout;

/// <summary>How a charge ended, as this client tells it.</summary>
public enum ChargeOutcome
{
    /// <summary>The provider took the money and said which charge it was.</summary>
    Paid,
    /// <summary>The provider refused the card.</summary>
    Declined,
    /// <summary>The provider said it failed, or was not called at all: no money moved.</summary>
    NotCharged,
    /// <summary>No answer that could be read: the money may have moved.</summary>
    Unknown,
}

/// <summary>The payment provider's API: <c>POST /v1/charges</c>, one charge per order, keyed by the order so a repeat is safe.</summary>
public sealed class PaymentClient(HttpClient http, IOptions<LabOptions> options)
{
    /// <summary>
    /// Charges the order within the payment budget, its answer's body included: the budget is a timer of this client's,
    /// over the call and the read, and no token of the customer's can cut a charge off half-way.
    /// </summary>
    public async Task<(ChargeOutcome Outcome, string Detail)> ChargeAsync(Order order, string cardToken)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.Value.PaymentTimeoutMs));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/charges")
            {
                Headers = { { "Idempotency-Key", order.Id } },
                Content = JsonContent.Create(new { orderId = order.Id, amount = order.Total, currency = "EUR", source = cardToken }),
            };
            using var response = await http.SendAsync(request, budget.Token);
            var body = await response.Content.ReadAsStringAsync(budget.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (int)response.StatusCode < 500
                    ? (ChargeOutcome.Declined, $"the provider refused the charge ({(int)response.StatusCode})")
                    : (ChargeOutcome.NotCharged, $"the provider answered {(int)response.StatusCode}");
            }
            return Sequence(body) is { } sequence
                ? (ChargeOutcome.Paid, $"ch_{sequence}")
                : (ChargeOutcome.Unknown, "the provider's answer could not be read");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return (ChargeOutcome.NotCharged, "payments are paused while the provider is down");
        }
        catch (Exception e) when (e is OperationCanceledException or Polly.Timeout.TimeoutRejectedException or HttpRequestException)
        {
            return (ChargeOutcome.Unknown, "the provider did not answer in time, or the connection broke");
        }
    }

    private static long? Sequence(string body)
    {
        using var reader = new StringReader(body);
        try
        {
            using var json = JsonDocument.Parse(reader.ReadLine() ?? "");
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("sequence", out var s) && s.TryGetInt64(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
