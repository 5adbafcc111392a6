using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab06.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab06.Broken.Marker))]
