namespace Lab02.Reports;

/// <summary>The audit trail of report deliveries: which report went out, and which one a shutdown cut short.</summary>
public sealed partial class ReportAudit(ILogger<ReportAudit> logger)
{
    private readonly ILogger<ReportAudit> _logger = logger;

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {ReportId} sent, {Bytes} bytes")]
    public partial void Sent(int reportId, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} interrupted: the service is stopping")]
    public partial void Interrupted(int reportId);
}
