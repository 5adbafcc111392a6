using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab09.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab09.Broken.Marker))]
