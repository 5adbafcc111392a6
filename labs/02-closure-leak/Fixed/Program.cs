using Lab02;
using Lab02.Reports;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(ReportMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ReportCatalog>();
builder.Services.AddSingleton<ReportRenderer>();
builder.Services.AddSingleton<ReportAudit>();
builder.Services.AddSingleton<ReportMetrics>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapReports();

app.Run();
