using Xunit.Sdk;

namespace Workshop.TestKit;

/// <summary>Bad input answered as a service should: the status each request deserves, with a ProblemDetails body.</summary>
public static class ProblemAnswers
{
    /// <summary>
    /// Checks every answer's status and that its body is ProblemDetails (<c>application/problem+json</c>), then
    /// disposes them; one failure lists every request that was answered otherwise.
    /// </summary>
    public static void ShouldAllBe(params (HttpResponseMessage Response, int Status)[] answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var wrong = new List<string>();
        foreach (var (response, status) in answers)
        {
            using (response)
            {
                var type = response.Content.Headers.ContentType?.MediaType;
                if ((int)response.StatusCode != status || type != "application/problem+json")
                {
                    wrong.Add($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode} " +
                              $"{type ?? "with no body type"}, expected {status} application/problem+json");
                }
            }
        }
        if (wrong.Count > 0)
            throw new XunitException($"{wrong.Count} of {answers.Length} bad requests were answered otherwise than ProblemDetails with their status: {string.Join("; ", wrong)}.");
    }
}
