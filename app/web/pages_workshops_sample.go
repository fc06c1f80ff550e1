package web

// sampleRoster2022 is the real roster of the "digital working" workshops of
// 5–6 January 2022 (schedule/roster/testdata/mp-workshops-2022-01.csv): 57
// districts in 14 host cities. The pages offer it as a sample hand-made
// roster; a test keeps it equal to the fixture.
const sampleRoster2022 = `
date,host_city,host_city_hi,org_district,org_district_hi
2022-01-05,Gwalior,ग्वालियर,Gwalior Nagar,ग्वालियर नगर
2022-01-05,Gwalior,ग्वालियर,Gwalior Gramin,ग्वालियर ग्रामीण
2022-01-05,Gwalior,ग्वालियर,Bhind,भिण्ड
2022-01-05,Gwalior,ग्वालियर,Morena,मुरैना
2022-01-05,Gwalior,ग्वालियर,Datia,दतिया
2022-01-05,Sagar,सागर,Sagar,सागर
2022-01-05,Sagar,सागर,Damoh,दमोह
2022-01-05,Rewa,रीवा,Rewa,रीवा
2022-01-05,Rewa,रीवा,Satna,सतना
2022-01-05,Rewa,रीवा,Sidhi,सीधी
2022-01-05,Rewa,रीवा,Singrauli,सिंगरौली
2022-01-05,Shahdol,शहडोल,Shahdol,शहडोल
2022-01-05,Shahdol,शहडोल,Anuppur,अनूपपुर
2022-01-05,Shahdol,शहडोल,Umaria,उमरिया
2022-01-05,Seoni,सिवनी,Narsinghpur,नरसिंहपुर
2022-01-05,Seoni,सिवनी,Seoni,सिवनी
2022-01-05,Seoni,सिवनी,Chhindwara,छिंदवाडा
2022-01-05,Seoni,सिवनी,Balaghat,बालाघाट
2022-01-05,Hoshangabad,होशंगाबाद,Hoshangabad,होशंगाबाद
2022-01-05,Hoshangabad,होशंगाबाद,Harda,हरदा
2022-01-05,Hoshangabad,होशंगाबाद,Betul,बैतूल
2022-01-05,Bhopal,भोपाल,Bhopal Nagar,भोपाल नगर
2022-01-05,Bhopal,भोपाल,Bhopal Gramin,भोपाल ग्रामीण
2022-01-05,Bhopal,भोपाल,Vidisha,विदिशा
2022-01-05,Bhopal,भोपाल,Raisen,रायसेन
2022-01-05,Bhopal,भोपाल,Sehore,सीहोर
2022-01-05,Bhopal,भोपाल,Rajgarh,राजगढ़
2022-01-05,Neemuch,नीमच,Mandsaur,मंदसौर
2022-01-05,Neemuch,नीमच,Ratlam,रतलाम
2022-01-05,Neemuch,नीमच,Neemuch,नीमच
2022-01-05,Khargone,खरगोन,Khargone,खरगोन
2022-01-05,Khargone,खरगोन,Khandwa,खण्डवा
2022-01-05,Khargone,खरगोन,Burhanpur,बुरहानपुर
2022-01-05,Khargone,खरगोन,Barwani,बड़वानी
2022-01-06,Chhatarpur,छतरपुर,Chhatarpur,छतरपुर
2022-01-06,Chhatarpur,छतरपुर,Panna,पन्ना
2022-01-06,Chhatarpur,छतरपुर,Tikamgarh,टीकमगढ़
2022-01-06,Chhatarpur,छतरपुर,Niwari,निवाड़ी
2022-01-06,Shivpuri,शिवपुरी,Shivpuri,शिवपुरी
2022-01-06,Shivpuri,शिवपुरी,Sheopur,श्योपुर
2022-01-06,Shivpuri,शिवपुरी,Guna,गुना
2022-01-06,Shivpuri,शिवपुरी,Ashoknagar,अशोकनगर
2022-01-06,Jabalpur,जबलपुर,Jabalpur Nagar,जबलपुर नगर
2022-01-06,Jabalpur,जबलपुर,Jabalpur Gramin,जबलपुर ग्रामीण
2022-01-06,Jabalpur,जबलपुर,Katni,कटनी
2022-01-06,Jabalpur,जबलपुर,Mandla,मंडला
2022-01-06,Jabalpur,जबलपुर,Dindori,डिंडोरी
2022-01-06,Ujjain,उज्जैन,Ujjain Nagar,उज्जैन नगर
2022-01-06,Ujjain,उज्जैन,Ujjain Gramin,उज्जैन ग्रामीण
2022-01-06,Ujjain,उज्जैन,Shajapur,शाजापुर
2022-01-06,Ujjain,उज्जैन,Dewas,देवास
2022-01-06,Ujjain,उज्जैन,Agar,आगर
2022-01-06,Dhar,धार,Dhar,धार
2022-01-06,Dhar,धार,Indore Nagar,इंदौर नगर
2022-01-06,Dhar,धार,Indore Gramin,इंदौर ग्रामीण
2022-01-06,Dhar,धार,Jhabua,झाबुआ
2022-01-06,Dhar,धार,Alirajpur,अलीराजपुर
`
