locale-name = العربية
locale-direction = rtl
number-digits = ٠١٢٣٤٥٦٧٨٩
number-decimal = ٫
number-group = ٬

date-long = { $day } { $month ->
    [1] يناير
    [2] فبراير
    [3] مارس
    [4] أبريل
    [5] مايو
    [6] يونيو
    [7] يوليو
    [8] أغسطس
    [9] سبتمبر
    [10] أكتوبر
    [11] نوفمبر
   *[12] ديسمبر
} { $year }
date-time = { $date }، { $time } بالتوقيت العالمي
