# What the code needs to know of the language itself.
locale-name = English
locale-direction = ltr
number-digits = 0123456789
number-decimal = .
number-group = ,

date-long = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
date-time = { $date }, { $time } UTC
