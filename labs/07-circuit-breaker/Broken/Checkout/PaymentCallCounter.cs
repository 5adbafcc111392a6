namespace Lab07.Checkout;

/// <summary>Counts every request that goes out to the payment provider, by outcome, as close to the wire as it gets.</summary>
public sealed class PaymentCallCounter(ShopMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.Called((int)response.StatusCode switch { < 400 => "ok", < 500 => "declined", _ => "error" });
            return response;
        }
        catch (OperationCanceledException)
        {
            metrics.Called("timeout");
            throw;
        }
        catch (HttpRequestException)
        {
            metrics.Called("failed");
            throw;
        }
    }
}
