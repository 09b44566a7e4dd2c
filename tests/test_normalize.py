"""Text normalisation: what is written → what a reader says (engines/tts/normalize.py)."""
import re
import time

import pytest

from engines.tts.normalize import cardinal, normalize, ordinal, year

CASES = [
    # the awkward ones from the issue
    ("Only $0.99!", "Only ninety-nine cents!"),
    ("1,000,000 people", "one million people"),
    ("Add 3/4 cup of sugar.", "Add three quarters cup of sugar."),
    ("They finished 2nd–3rd.", "They finished second to third."),
    ("Dr. Smith lives on Smith Dr.", "Doctor Smith lives on Smith Drive."),
    # currency
    ("It costs $3.50 today.", "It costs three dollars and fifty cents today."),
    ("They raised $4.2 million.", "They raised four point two million dollars."),
    ("A budget of $5m.", "A budget of five million dollars."),
    ("Just $1.", "Just one dollar."),
    ("£1,200 and £0.50", "one thousand two hundred pounds and fifty pence"),
    ("€20.05 each", "twenty euros and five cents each"),
    ("from $10–$20", "from ten dollars to twenty dollars"),
    # phone numbers, digit by digit
    ("Call 555-0134.", "Call five five five, zero one three four."),
    ("Call (212) 555-0198.", "Call two one two, five five five, zero one nine eight."),
    ("Dial 1-800-555-0199.", "Dial one, eight zero zero, five five five, zero one nine nine."),
    ("Dial +44 20 7946 0958", "Dial plus four four, two zero, seven nine four six, zero nine five eight"),
    ("or +1 212 555 0198.", "or plus one, two one two, five five five, zero one nine eight."),
    # years against cardinals
    ("in 1969", "in nineteen sixty-nine"),
    ("It was 2005.", "It was two thousand five."),
    ("1,969 people", "one thousand nine hundred sixty-nine people"),
    ("born in 1905, died in 1900", "born in nineteen oh five, died in nineteen hundred"),
    ("since 2024", "since twenty twenty-four"),
    ("1500 meters", "one thousand five hundred meters"),
    ("the 1960s and the '90s", "the nineteen sixties and the nineties"),
    # times
    ("at 7:45 a.m. today", "at seven forty-five AM today"),
    ("Be there at 7:45 a.m. The bus waits.", "Be there at seven forty-five AM. The bus waits."),
    ("at 18:30", "at eighteen thirty"),
    ("at 7:05", "at seven oh five"),
    ("at 7:00", "at seven o'clock"),
    ("from 9am to 5 p.m.", "from nine AM to five PM."),
    # dates
    ("On March 3rd, 2024 we met.", "On March third, twenty twenty-four we met."),
    ("Due 3/15.", "Due March fifteenth."),
    ("on 3 March 2024", "on the third of March, twenty twenty-four"),
    ("on 2024-03-15", "on March fifteenth, twenty twenty-four"),
    ("on 12/25/2023", "on December twenty-fifth, twenty twenty-three"),
    ("on Jan. 5th", "on January fifth"),
    # ordinals
    ("the 21st century", "the twenty-first century"),
    ("the 100th time", "the one hundredth time"),
    # decimals and percentages
    ("pi is 3.14", "pi is three point one four"),
    ("0.5 and .5", "zero point five and point five"),
    ("up 45% or 3.5%", "up forty-five percent or three point five percent"),
    # ranges
    ("pages 10–12", "pages ten to twelve"),
    ("10-12%", "ten to twelve percent"),
    ("1990-1995", "nineteen ninety to nineteen ninety-five"),
    ("the 2019–20 season", "the twenty nineteen to twenty twenty season"),
    ("5-10 km", "five to ten kilometers"),
    # fractions
    ("1/2 of it", "one half of it"),
    ("2/3 of them", "two thirds of them"),
    ("1 1/2 cups", "one and a half cups"),
    ("½ an onion and 2¾ cups", "half an onion and two and three quarters cups"),
    # large numbers
    ("1,250 cats", "one thousand two hundred fifty cats"),
    ("a 1,234,567 total", "a one million two hundred thirty-four thousand five hundred sixty-seven total"),
    # units and symbols
    ("5 km at 60 mph", "five kilometers at sixty miles per hour"),
    ("1 kg and 250 ml", "one kilogram and two hundred fifty milliliters"),
    ("20 °C or -5°C", "twenty degrees Celsius or minus five degrees Celsius"),
    ("98.6°F", "ninety-eight point six degrees Fahrenheit"),
    ("Tom & Jerry", "Tom and Jerry"),
    ("2 + 2 = 4", "two plus two equals four"),
    ("#1 fan", "number one fan"),
    ("ping @jane", "ping at jane"),
    ("C++ code", "C plus plus code"),
    # abbreviations in context
    ("St. Louis and Baker St. in London", "Saint Louis and Baker Street in London"),
    ("We met on Baker St. Then we left.", "We met on Baker Street. Then we left."),
    # a compass direction after a street: in words, and "Ave." does not end the sentence there
    ("to 1600 Pennsylvania Ave. NW, Washington", "to sixteen hundred Pennsylvania Avenue Northwest, Washington"),
    ("Turn onto Main St. N and park.", "Turn onto Main Street North and park."),
    ("He lives on Oak St. N.W.", "He lives on Oak Street Northwest."),
    ("It is on Avenue NW. Then we left.", "It is on Avenue Northwest. Then we left."),
    ("on Oak St. N.W. Then he moved.", "on Oak Street Northwest. Then he moved."),
    ("at 12 Elm Road SE today", "at twelve Elm Road Southeast today"),
    ("We met at Avenue E in Brooklyn.", "We met at Avenue E in Brooklyn."),
    ("The N train and the E train.", "The N train and the E train."),
    ("Mr. and Mrs. Jones met Ms. Lee.", "Mister and Missus Jones met Miz Lee."),
    ("John Smith Jr. said so", "John Smith Junior said so"),
    ("pens, paper, etc. The rest", "pens, paper, et cetera. The rest"),
    ("e.g. chairs, i.e. seats", "for example chairs, that is seats"),
    ("cats vs. dogs", "cats versus dogs"),
    ("Ask for No. 5 please", "Ask for number five please"),
    ("12 Main Ave. today", "twelve Main Avenue today"),
    ("approx. 3 hours", "approximately three hours"),
    ("$20 per yr. for the dept. office", "twenty dollars per year for the department office"),
    ("approx. 2 wks. late; cf. the table", "approximately two weeks late; compare the table"),
    ("a Ph.D. in physics, a Ph.D. Then", "a PhD in physics, a PhD. Then"),
    ("The Ft. Worth office opens Mon. at 9.", "The Fort Worth office opens Monday at nine."),
    ("Est. 1887, the shop", "Established eighteen eighty-seven, the shop"),
    ("Prof. Li of Acme Inc.", "Professor Li of Acme Incorporated."),
    # web addresses and e-mail
    ("Write to support@example.com today.", "Write to support at example dot com today."),
    ("Visit https://www.example.com/help now.", "Visit w w w dot example dot com slash help now."),
    ("See example.org.", "See example dot org."),
    ("mail jane.doe@mail.example.co.uk", "mail jane dot doe at mail dot example dot co dot uk"),
    # acronyms: left in capitals for the G2P to spell; dots dropped
    ("The FBI and NASA", "The FBI and NASA"),
    ("in the U.S. army", "in the US army"),
    ("made in the U.S.", "made in the US."),
    # numbers inside words
    ("COVID-19 and MP3 in 3D", "COVID nineteen and MP three in three D"),
    ("open 24/7", "open twenty-four seven"),
    ("a 16:9 screen", "a sixteen to nine screen"),
    ("agent 007", "agent zero zero seven"),
    # magnitudes after a bare number; a single digit before M or B is a name ("3M") or a flat ("5B")
    ("About 1.5M people", "About one point five million people"),
    ("got 100k views", "got one hundred thousand views"),
    ("a 10M grant, 2.3bn users", "a ten million grant, two point three billion users"),
    ("3M said", "three M said"),
    # money with a decimal comma (two digits after the comma cannot be thousands)
    ("€3,99 each", "three euros and ninety-nine cents each"),
    # durations h:mm:ss
    ("in 2:31:04, a best", "in two hours thirty-one minutes and four seconds, a best"),
    ("at 10:15:30 sharp", "at ten fifteen and thirty seconds sharp"),
    # heights in feet and inches
    ("She was 5'11\" tall", "She was five foot eleven tall"),
    ("a 6′ 2″ forward", "a six foot two forward"),
    # versions
    ("Update to v2.1 now", "Update to version two point one now"),
    # spans of weekdays and months
    ("open Mon.–Fri., 9 a.m. daily", "open Monday to Friday, nine AM daily"),
    ("Mon-Sat and Jan–Mar", "Monday to Saturday and January to March"),
    # time ranges sharing a.m./p.m.
    ("Meetings run 3-5 p.m. daily", "Meetings run three to five PM daily"),
    ("call 9am-5pm", "call nine AM to five PM"),
    ("open 9:30–11:30 a.m. daily", "open nine thirty to eleven thirty AM daily"),
    # dimensions
    ("no more than 55 x 40 x 20 cm", "no more than fifty-five by forty by twenty centimeters"),
    ("a 1920x1080 screen", "a nineteen twenty by ten eighty screen"),
    ("a 4 x 6 inch print", "a four by six inch print"),
    ("2 x 3 = 6", "two times three equals six"),
    # codes read digit by digit
    ("The ISBN is 978-0-14-044913-6.", "The ISBN is nine seven eight, zero, one four, zero four four nine one three, six."),
    ("Order No. 48213 shipped", "Order number four eight two one three shipped"),
    ("ticket #48213", "ticket number four eight two one three"),
    ("Washington, DC 20500", "Washington, DC two zero five zero zero"),
    # units
    ("charges at 65 W and 2 L", "charges at sixty-five watts and two liters"),
    ("at 100 W Main St.", "at one hundred W Main Street."),
    ("take 400 mcg daily", "take four hundred micrograms daily"),
    ("a 2 TB drive and a 5 km walk", "a two terabyte drive and a five kilometer walk"),
    # a unit's abbreviation dot before a word in lower case is not a full stop; before a capital it may be
    ("Buy a 5 lb. bag of flour", "Buy a five pound bag of flour"),
    ("add 2 tsp. salt, then 3 oz. more", "add two teaspoons salt, then three ounces more"),
    ("an 8 oz. glass and a 2 lbs bag", "an eight ounce glass and a two pound bag"),
    ("The bag weighs 5 lb. Then it gets heavier.", "The bag weighs five pounds. Then it gets heavier."),
    # a fraction before a unit written short; a decimal rating; seconds; a height in ft and in
    ("add 1/2 tsp. salt and 1/8 oz. yeast", "add half a teaspoon salt and one eighth of an ounce yeast"),
    ("3/4 lb of beef and 2 1/4 tsp sugar", "three quarters of a pound of beef and two and a quarter teaspoons sugar"),
    ("Rated 4.5/5 by critics", "Rated four point five out of five by critics"),
    ("ran it in 9.58s flat", "ran it in nine point five eight seconds flat"),
    ("He is 5 ft 10 in tall.", "He is five foot ten tall."),
    # dotted numbers: a version, an address, a European date
    ("Version 3.11.2 is out", "Version three point eleven point two is out"),
    ("ping 192.168.1.1 now", "ping one hundred ninety-two dot one hundred sixty-eight dot one dot one now"),
    ("born 04.07.1986 in Leeds", "born the fourth of July, nineteen eighty-six in Leeds"),
    # numbers after "#" and hyphenated codes after a code word; a house number with a letter
    ("fixes issue #4512", "fixes issue number four thousand five hundred twelve"),
    ("Invoice no. 2024-0113 is due", "Invoice number two zero two four, zero one one three is due"),
    ("at 221B Baker St., London", "at two hundred twenty-one B Baker Street, London"),
    ("BP 120/80 and 3/4 of it", "BP one hundred twenty over eighty and three quarters of it"),
    ("Call 911 or dial 999.", "Call nine one one or dial nine nine nine."),
    ("Error 0x80070005 means", "Error hex eight zero zero seven zero zero zero five means"),
    ("Press Ctrl+Alt+Del, or Cmd+Shift+P; Del Mar", "Press Control Alt Delete, or Command Shift P; Del Mar"),
    ("numpy>=1.26 and x <= 5", "numpy at least one point two six and x at most five"),
    ("the summer of '69, the class of '05, the '90s", "the summer of sixty-nine, the class of oh five, the nineties"),
    ("It measures 12 x 8 x 4 in. Then ship it.", "It measures twelve by eight by four inches. Then ship it."),
    ("a BMI of 24.9 kg/m²", "a BMI of twenty-four point nine kilograms per square meter"),
    ("~8.1 bn people and 3 mn cars", "about eight point one billion people and three million cars"),
    ("an A+ for 90+ and C++", "an A plus for ninety plus and C plus plus"),
    ("call 07700 900123 or 020 7946 0958", "call zero seven seven zero zero, nine zero zero one two three or zero two zero, seven nine four six, zero nine five eight"),
    ("results: +12% and ~3 km", "results: plus twelve percent and about three kilometers"),
    ("Seat 12B is free, exit 42B; 70B parameters and 50M users", "Seat twelve B is free, exit forty-two B; seventy billion parameters and fifty million users"),
    ('36" wide, a 55" TV, 1″ deep; "I said 36" and left', 'thirty-six inches wide, a fifty-five inch TV, one inch deep; "I said thirty-six" and left'),
    ("at 1234 N. Elm Ave. and 12 W. 4th St.; John N. Smith", "at twelve thirty-four North Elm Avenue and twelve West fourth Street; John N. Smith"),
    # letters joined by a slash
    ("an A/B test of the I/O path", "an A B test of the I O path"),
    # Roman numerals: regnal ordinals after a name, numbers after a counted word
    ("Henry VIII married six times", "Henry the eighth married six times"),
    ("and Elizabeth I never married", "and Elizabeth the first never married"),
    ("Louis XIV's court", "Louis the fourteenth's court"),
    ("Chapter IV opens", "Chapter four opens"),
    ("Part II of World War II", "Part two of World War two"),
    ("Super Bowl LVII", "Super Bowl fifty-seven"),
    ("In Paris I met her.", "In Paris I met her."),
    ("The book I read.", "The book I read."),
    ("Give the IV slowly.", "Give the IV slowly."),
    ("Malcolm X spoke.", "Malcolm X spoke."),
]


@pytest.mark.parametrize("written, spoken", CASES, ids=[c[0] for c in CASES])
def test_normalize(written, spoken):
    assert normalize(written) == spoken


def test_number_words_are_american_style_without_and():
    assert cardinal(101) == "one hundred one"
    assert cardinal(1_250_000) == "one million two hundred fifty thousand"
    assert ordinal(22) == "twenty-second"
    assert [year(y) for y in (1066, 1900, 1905, 1969, 2000, 2005, 2010, 2024)] == [
        "ten sixty-six", "nineteen hundred", "nineteen oh five", "nineteen sixty-nine", "two thousand",
        "two thousand five", "twenty ten", "twenty twenty-four"]


def test_line_breaks_and_phoneme_spans_are_kept():
    assert normalize("Line 1\n\nLine [2](/tuː/) costs $2") == "Line one\n\nLine [2](/tuː/) costs two dollars"


def test_plain_prose_is_unchanged():
    prose = "The harbour was quiet in the early morning, and the boats rocked gently. \"Yes,\" she said."
    assert normalize(prose) == prose


def test_numbers_too_long_to_name_are_read_digit_by_digit_and_never_crash():
    assert normalize("Card 4111111111111111 expires") == "Card " + " ".join(
        ["four"] + ["one"] * 15) + " expires"  # an identifier, not four quadrillion
    assert normalize("1,000,000,000,000,000 atoms") == "one quadrillion atoms"  # grouped: a quantity
    assert normalize("9" * 400) == " ".join(["nine"] * 400)  # num2words overflows here
    # more digits than Python will parse as an int, in every pass that reads one
    for hostile in ("1234567890" * 999, "5" * 5000 + "th", "v1.2." + "3" * 5000, "$" + "7" * 5000,
                    "3." + "1" * 5000):
        spoken = normalize(hostile)
        assert not re.search(r"\d", spoken), hostile[:20]


def test_long_hostile_runs_normalise_in_linear_time():
    # dotted runs made the web-address pattern try every start, and a long digit run the fraction
    # pattern: quadratic, 13 s or more for each of these 20,000-character texts before; now well
    # under a second each (the bound leaves room for a slow, shared machine)
    for hostile in (".".join(str(i % 10) for i in range(10_000)), "a." * 10_000, "A.B." * 5_000):
        started = time.monotonic()
        normalize(hostile)
        assert time.monotonic() - started < 8, hostile[:12]


def test_looking_at_neighbouring_words_costs_the_same_however_long_the_text():
    # each unit, Roman numeral, fraction and year looked at the words beside it by copying and
    # splitting all the text before (and after) it: quadratic (4.8 s for the first of these texts,
    # 2.2 s for half the second); now 0.4-0.8 s each
    for hostile in ("CO2 " * 5_000, "3 bd/2 ba " * 4_000, "1/2 " * 20_000, "in 1999 " * 10_000):
        started = time.monotonic()
        normalize(hostile)
        assert time.monotonic() - started < 4, hostile[:12]


def test_the_word_before_a_match_is_found_in_linear_time():
    # with no space in reach, the word before each percentage was looked for by a regex search over
    # all the text before it: 9.1 s for these 48,000 characters; now 0.5 s
    started = time.monotonic()
    assert normalize("5%-6%-" * 8_000).startswith("five percent to six percent")
    assert time.monotonic() - started < 4


def test_chat_shorthand_normalises_in_linear_time():
    # each capitalised "BTW" once looked back over the whole text before it to see whether it opens
    # a sentence: about 32 s for these 200,000 characters; now a bounded look back, about 2 s
    started = time.monotonic()
    assert normalize("BTW " * 50_000).startswith("By the way by the way")
    assert time.monotonic() - started < 8


# classes found on a fifth fresh list (tests written with other wording)
@pytest.mark.parametrize("written, spoken", [
    ("Stamps cost 73¢ now.", "Stamps cost seventy-three cents now."),
    ("A 1¢ coin.", "A one cent coin."),
    ("The fee is USD 45.", "The fee is forty-five US dollars."),
    ("We paid 2,500 EUR for it.", "We paid two thousand five hundred euros for it."),
    ("It was sold for CHF 12.50 in Zurich.", "It was sold for twelve Swiss francs and fifty centimes in Zurich."),
    ("Tickets are ₹350 each.", "Tickets are three hundred fifty rupees each."),
    ("The show starts at 9 p.m. Central on Friday.", "The show starts at nine PM Central on Friday."),
    ("Doors open at 7 a.m. ET sharp.", "Doors open at seven AM ET sharp."),
    ("We close at 5 p.m. Call us tomorrow.", "We close at five PM. Call us tomorrow."),
    ("Parking is $20/day or $90/week.", "Parking is twenty dollars a day or ninety dollars a week."),
    ("Apples are $2.49/lb this week.", "Apples are two dollars and forty-nine cents per pound this week."),
    ("Take 500 mg/day with food.", "Take five hundred milligrams a day with food."),
    ("Rooms from $180/night.", "Rooms from one hundred eighty dollars a night."),
    ("Seats cost $40/person.", "Seats cost forty dollars per person."),
    ("It reached 90 km/h quickly.", "It reached ninety kilometers per hour quickly."),
    ("She bought a 10-lb bag of rice.", "She bought a ten-pound bag of rice."),
    ("Use a 9-in pan.", "Use a nine-inch pan."),
    ("A 2.5-kg weight.", "A two point five kilogram weight."),
    ("Results varied by ±2 degrees.", "Results varied by plus or minus two degrees."),
    ("Then 12 ÷ 4 is three.", "Then twelve divided by four is three."),
    ("The area is x² here.", "The area is x squared here."),
    ("Enter your ticket # below.", "Enter your ticket number below."),
    ("Est. 1902 in Boston.", "Established nineteen oh two in Boston."),
    ("The est. cost is high.", "The estimated cost is high."),
    ("Dial ext. 315 for sales.", "Dial extension three one five for sales."),
    ("The card ending in 0921 was charged.", "The card ending in zero nine two one was charged."),
    ("Write to 18 Pine Rd., Austin, TX 78701.", "Write to eighteen Pine Road, Austin, Texas seven eight seven zero one."),
    ("Our office is at 742 Evergreen Terrace.", "Our office is at seven forty-two Evergreen Terrace."),
    ("It is at 305 N. Main St.", "It is at three oh five North Main Street."),
    ("Go to Room 118 or Suite 1204.", "Go to Room one eighteen or Suite twelve oh four."),
    ("Take Highway 280 or I-680 south.", "Take Highway two eighty or I-six eighty south."),
    ("Flight DL 405 is delayed.", "Flight DL four oh five is delayed."),
    ("A Boeing 787 landed.", "A Boeing seven eighty-seven landed."),
    ("Send it to PO Box 77.", "Send it to P O Box seventy-seven."),
    ("Budgets for FY2025 and FY26.", "Budgets for fiscal year twenty twenty-five and fiscal year twenty-six."),
    ("A 24 × 36 in. poster.", "A twenty-four by thirty-six inches poster."),
    ("Sales rose to 300 units.", "Sales rose to three hundred units."),
])
def test_fifth_list_classes(written, spoken):
    assert normalize(written) == spoken


def test_the_text_check_keeps_every_symbol_the_normaliser_reads():
    from engines.tts.normalize import READ_SYMBOLS
    from engines.tts.text import clean_text

    kept = clean_text("x " + " ".join(READ_SYMBOLS))
    assert set(kept.text) >= READ_SYMBOLS and not kept.notices
    assert normalize(clean_text("A crowd of ~40, ±3, paid 50¢.").text) == "A crowd of about forty, plus or minus three, paid fifty cents."


# classes found on a sixth fresh list (tests written with other wording)
@pytest.mark.parametrize("written, spoken", [
    ("Practice is Thu 9/5 at the gym.", "Practice is Thursday September fifth at the gym."),
    ("Fri., 11/22 works for me.", "Friday, November twenty-second works for me."),
    ("The fair runs Aug. 3–7 downtown.", "The fair runs August third to seventh downtown."),
    ("Sales ran 10%–12% higher.", "Sales ran ten percent to twelve percent higher."),
    ("The north–south line and the Mexico–US border.", "The north–south line and the Mexico–US border."),
    ("Open port 5432 and port 3000.", "Open port fifty-four thirty-two and port three thousand."),
    ("It returned error 500 again.", "It returned error five hundred again."),
    ("A HTTP 404 page.", "A HTTP four oh four page."),
    ("File Form 1099 by March.", "File Form ten ninety-nine by March."),
    ("Sign up for MATH 221 early.", "Sign up for MATH two twenty-one early."),
    ("The F-35 and the B-767 flew over.", "The F thirty-five and the B-seven sixty-seven flew over."),
    ("Report at 0600 hours.", "Report at oh six hundred hours."),
    ("Lights out by 2215 hours.", "Lights out by twenty-two fifteen hours."),
    ("Roll it into your 403(b) plan.", "Roll it into your four oh three b plan."),
    ("Under Rule 23(a)(2) the class is certified.", "Under Rule twenty-three a two the class is certified."),
    ("Roughly 1.6 × 10^-19 coulombs.", "Roughly one point six times ten to the minus nineteen coulombs."),
    ("A speed of 2 × 10^5 m/s.", "A speed of two times ten to the fifth meters per second."),
    ("It runs at 7,200 rpm.", "It runs at seven thousand two hundred revolutions per minute."),
    ("The engine makes 250 hp.", "The engine makes two hundred fifty horsepower."),
    ("Inflate to 32 psi.", "Inflate to thirty-two pounds per square inch."),
    ("Pores of 2 µm or less.", "Pores of two micrometers or less."),
    ("It scored 28 pts tonight.", "It scored twenty-eight points tonight."),
    ("Use the 10 mL cup.", "Use the ten milliliter cup."),
    ("Every 5 min between stops.", "Every five minutes between stops."),
    ("It costs a $40 deposit.", "It costs a forty dollar deposit."),
    ("It costs $40 more.", "It costs forty dollars more."),
    ("Pi ≈ 3.14 here.", "Pi approximately three point one four here."),
    ("See 15 U.S.C. §§ 1-7 for more.", "See fifteen USC sections one to seven for more."),
    ("Per para. 4 of the lease.", "Per paragraph four of the lease."),
    ("Dep. 08:10, arr. 11:45.", "departs eight ten, arrives eleven forty-five."),
    ("Meet in Rm. 12 at noon.", "Meet in room twelve at noon."),
    ("Utilities incl., parking avail.", "Utilities included, parking available."),
    ("Your ref. AB12C is noted.", "Your reference AB twelve C is noted."),
    ("Lunch is at 12:00 noon.", "Lunch is at twelve noon."),
    ("A 2x4 board.", "A two by four board."),
    ("Great job :) see you <3", "Great job see you"),
    ("They moved to the U.S. The rest stayed.", "They moved to the US. The rest stayed."),
    ("The U.S. Navy sailed.", "The US Navy sailed."),
    ("Her ZIP code is 60614.", "Her ZIP code is six zero six one four."),
])
def test_sixth_list_classes(written, spoken):
    assert normalize(written) == spoken


# classes found on a seventh fresh list, British and American news (tests written with other wording)
@pytest.mark.parametrize("written, spoken", [
    ("A sandwich is £3.20 and a tea £1.05.", "A sandwich is three pounds twenty and a tea one pound five."),
    ("It costs £0.80 now.", "It costs eighty pence now."),
    ("He now weighs 14st 2lb.", "He now weighs fourteen stone two pounds."),
    ("The 21st and 22nd, not the 21nd.", "The twenty-first and twenty-second, not the twenty-one nd."),
    ("Highs of 24C are expected.", "Highs of twenty-four degrees Celsius are expected."),
    ("It could reach 95F by noon.", "It could reach ninety-five degrees Fahrenheit by noon."),
    ("Apartment 3C is empty.", "Apartment three C is empty."),
    ("The 9.45pm train and the 6.05 a.m. bus.", "The nine forty-five PM train and the six oh five AM bus."),
    ("Prices rose 2.45 points.", "Prices rose two point four five points."),
    ("The 49ers and the 76ers won.", "The forty-niners and the seventy-sixers won."),
    ("A .22 caliber rifle.", "A twenty-two caliber rifle."),
    ("A 20p coin and a 1p coin.", "A twenty pence coin and a one penny coin."),
    ("Streams in 1080p.", "Streams in one thousand eighty p."),  # a resolution, not pence
    ("Meet in Rm 118.", "Meet in Room one eighteen."),
    ("Schools for grades K-5 and K–12.", "Schools for grades K through five and K through twelve."),
    ("Shares of AT&T and P&G rose; R&D spending fell.", "Shares of A T and T and P and G rose; R and D spending fell."),
    ("A fire on E. 14th St. spread.", "A fire on East fourteenth Street spread."),
    ("He walked out of No 10 today.", "He walked out of Number ten today."),
    ("Send it to EC1A 1BB by Friday.", "Send it to E C one A, one B B by Friday."),
    ("A salary of £40,000 p.a. is offered.", "A salary of forty thousand pounds per annum is offered."),
    ("The abbey was founded c. 1090.", "The abbey was founded circa ten ninety."),
    ("It takes approx 20 minutes.", "It takes approximately twenty minutes."),
    ("Tickets are £12 inc VAT.", "Tickets are twelve pounds including VAT."),
    ("Call 0161 496 0000 ext 314.", "Call zero one six one, four nine six, zero zero zero zero extension three one four."),
    ("Leeds v Everton kicks off at 3pm.", "Leeds versus Everton kicks off at three PM."),
    ("Plan a v shape.", "Plan a v shape."),
    ("A $2.4 billion deal was signed.", "A two point four billion dollar deal was signed."),
    ("Profits were $2.4 billion in total.", "Profits were two point four billion dollars in total."),
    # the narrow edges of the rules above
    ("A K-9 unit searched the car.", "A K nine unit searched the car."),
    ("We close at 10p.m. sharp.", "We close at ten PM sharp."),
    ("We logged 2000 hours of video.", "We logged two thousand hours of video."),
    ("Be back by 1800 hours.", "Be back by eighteen hundred hours."),
    ("NASA 250 scientists signed it.", "NASA two hundred fifty scientists signed it."),
    ("The EU 750 billion fund.", "The EU seven hundred fifty billion fund."),
    ("Building 250 homes took years.", "Building two hundred fifty homes took years."),
    ("Storage is $5/GB per month.", "Storage is five dollars per gigabyte per month."),
    ("Keep it under 5 mmol/L daily.", "Keep it under five millimoles per liter daily."),
    ("Only £12 inc VAT, from Acme inc.", "Only twelve pounds including VAT, from Acme inc."),
])
def test_seventh_list_classes(written, spoken):
    assert normalize(written) == spoken


def test_a_space_before_a_decimal_point_is_kept():
    from engines.tts.text import clean_text

    assert clean_text("He owned a .38 revolver .").text == "He owned a .38 revolver."


@pytest.mark.parametrize("written, spoken", [
    # compact durations: the "m" after hours is minutes, never meters
    ("He ran 26.2 miles in 3h 15m.", "He ran twenty-six point two miles in three hours and fifteen minutes."),
    ("It takes 1h30m, then 2h 5min 10s more.",
     "It takes one hour and thirty minutes, then two hours five minutes and ten seconds more."),
    ("The 10m run took 3h.", "The ten meter run took three hours."),
    ("It's a 50/50 chance.", "It's a fifty-fifty chance."),
    # a short weekday after a preposition, even at the end of a sentence
    ("Doors open 7–9 p.m. on Sat. Bring a friend.", "Doors open seven to nine PM on Saturday. Bring a friend."),
    ("Closed until Wed., sorry.", "Closed until Wednesday, sorry."),
    ("I sat down. Sat. is my day off.", "I sat down. Saturday is my day off."),
    ("The cat sat. It purred.", "The cat sat. It purred."),
    # toll-free words and short codes
    ("Call 1-800-FLOWERS now.", "Call one eight hundred flowers now."),
    ("Or try 1-888-GO-FEDEX.", "Or try one eight eight eight go fedex."),
    ("An 800 GB drive and an 866 MB file.", "An eight hundred gigabyte drive and an eight hundred sixty-six megabyte file."),
    ("Text STOP to 12345 to opt out.", "Text STOP to one two three four five to opt out."),
    # a decimal takes the plural
    ("It is 1.0 km away, not 1 km.", "It is one point zero kilometers away, not one kilometer."),
    ("Sales rose 8% YoY and 2% QoQ.", "Sales rose eight percent year over year and two percent quarter over quarter."),
    # codes of capitals and digits: letters as letters, digits one by one; names with a number stay numbers
    ("Invoice #INV-2024-0042 is due.", "Invoice number INV two zero two four zero zero four two is due."),
    ("Your ticket is ABC-1234.", "Your ticket is ABC one two three four."),
    ("Use code AB12-CD34 today.", "Use code AB one two CD three four today."),
    ("Order #A1234 shipped.", "Order number A one two three four shipped."),
    ("Follow #StudioLife for more.", "Follow hashtag Studio Life for more."),
    ("COVID-19 and the F-150 and B-52.", "COVID nineteen and the F-one fifty and B fifty-two."),
    # ranges and units
    ("Rates rose to 5.25%-5.50% in July.", "Rates rose to five point two five percent to five point five zero percent in July."),
    ("It was 140/90 mmHg today.", "It was one hundred forty over ninety millimeters of mercury today."),
    ("Bake for 12–15 min. or until golden.", "Bake for twelve to fifteen minutes or until golden."),
    ("Bake for 15 min. Then rest.", "Bake for fifteen minutes. Then rest."),
    ("The Fed cut by 25 bps.", "The Fed cut by twenty-five basis points."),
    ("A 2-for-1 deal.", "A two for one deal."),
    ("Open localhost:3000 now.", "Open localhost colon three thousand now."),
    ("Send your account no. and name.", "Send your account number and name."),
    ("Please quote your booking no.", "Please quote your booking number."),
    ("I said no. And I meant it.", "I said no. And I meant it."),
    ("It hit No.1 in the charts.", "It hit number one in the charts."),
    ("Set the limit to 1_000_000.", "Set the limit to one million."),
    # science, scores, ratios, measures written short
    ("CO2 reached 420 ppm.", "C O two reached four hundred twenty parts per million."),
    ("Light travels at 3×10^8 m/s, or 3.0 × 10^8.",
     "Light travels at three times ten to the eighth meters per second, or three point zero times ten to the eighth."),
    ("It is 2-3 in. wide and 6 in. deep.", "It is two to three inches wide and six inches deep."),
    ("I stayed in. The end.", "I stayed in. The end."),
    ("Gas is $3.49/gal. this week.", "Gas is three dollars and forty-nine cents per gallon this week."),
    ("Use 12-pt type.", "Use twelve-point type."),
    ("Up 3% q/q and 5% y/y.", "Up three percent quarter on quarter and five percent year on year."),
    ("I'd give it 7/10, or 97/100.", "I'd give it seven out of ten, or ninety-seven out of one hundred."),
    ("About 1/10 of us.", "About one tenth of us."),
    ("Mix 1:2:3 at 10:15:30.", "Mix one to two to three at ten fifteen and thirty seconds."),
    # listings, box scores and chat
    ("Civic EX, 35 mpg hwy, $17,500 OBO.", "Civic EX, thirty-five miles per gallon highway, seventeen thousand five hundred dollars or best offer."),
    ("Charming 3 bd/2 ba ranch.", "Charming three bedrooms, two baths ranch."),
    ("For rent: 2 br, 1 ba, tow pkg.", "For rent: two bedrooms, one bath, tow package."),
    ("He had 32 pts, 14 reb and 11 ast.", "He had thirty-two points, fourteen rebounds and eleven assists."),
    ("Take 12 credit hrs per term.", "Take twelve credit hours per term."),
    ("ngl i can make it 2nite, text me when u r here", "not gonna lie i can make it tonight, text me when you are here"),
    ("happy bday, see u tmrw", "happy birthday, see you tomorrow"),
    ("Unit U made a u-turn.", "Unit U made a u-turn."),
    ('The vowels "a", "e", "i", "o", "u" and the flag (?u).', 'The vowels "a", "e", "i", "o", "u" and the flag (?u).'),
    ("It reads UTF-16LE files.", "It reads UTF sixteen LE files."),
    # what a corpus of package documentation showed the new rules must leave alone
    ("t. test has a new option. u. umask has one too.", "t. test has a new option. u. umask has one too."),
    ("It runs on machines from Sun.", "It runs on machines from Sun."),
    ("It adds AES-256-GCM.", "It adds AES two hundred fifty-six-GCM."),
    ("It follows SUS-2008.", "It follows SUS two thousand eight."),
    ("Mail pkg-team@lists.example.org or see example.org/pkg/a-pkg-b.",
     "Mail pkg dash team at lists dot example dot org or see example dot org slash pkg slash a dash pkg dash b."),
    ("See CVE-2019-18348.", "See CVE two zero one nine one eight three four eight."),
    ("Parsed 2004-02-29T16:21 fine.", "Parsed February twenty-ninth, two thousand four, sixteen twenty-one fine."),
    # chat shorthand said in full; letters people say as letters (lol, FYI) and web addresses are left
    ("brb, lol, idk what you mean tbh.", "be right back, lol, I don't know what you mean to be honest."),
    ("Thx! BTW it works, pls check imo.", "Thanks! By the way it works, please check in my opinion."),
    ("The IMO set new shipping rules.", "The IMO set new shipping rules."),
    ("It returned a 404 error, then 500 errors and a 503 page.",
     "It returned a four oh four error, then five hundred errors and a five oh three page."),
    ("We logged 404 errors in 12 files.", "We logged four oh four errors in twelve files."),
    ("We found 450 errors in the report.", "We found four hundred fifty errors in the report."),
    ("Visit btw.example.com or mail idk@example.com.", "Visit btw dot example dot com or mail idk at example dot com."),
])
def test_classes_found_by_probing_new_text(written, spoken):
    assert normalize(written) == spoken


# classes found on an eighth fresh list (bench/data/normalizer_lists/fresh8.toml), tested in other
# wording; the second half are what each rule must leave alone
@pytest.mark.parametrize("written, spoken", [
    ("Thanks Dave I owe you one.", "Thanks Dave I owe you one."),
    ("tell Jen idk what happened", "tell Jen I don't know what happened"),
    ("a bust of Charles I, carved in marble", "a bust of Charles the first, carved in marble"),
    ("Pay by 19/03 at the latest.", "Pay by the nineteenth of March at the latest."),
    ("The party on 30/06 is off.", "The party on the thirtieth of June is off."),
    ("Exams start 05/06.", "Exams start May sixth."),
    ("The last four digits, 0417, match.", "The last four digits, zero four one seven, match."),
    ("She finished in 48:09 on the hilly course.", "She finished in forty-eight oh nine on the hilly course."),
    ("His best lap was 1:31.075 in practice.", "His best lap was one thirty-one point zero seven five in practice."),
    ("Keep the dose < 4 g a day.", "Keep the dose less than four grams a day."),
    ("Only files > 2 GB fail.", "Only files greater than two gigabytes fail."),
    ("Ticket #B12-4471 is closed.", "Ticket number B one two four four seven one is closed."),
    ("Quote ref. XK-55120-B when you call.", "Quote reference XK five five one two zero B when you call."),
    ("the SC-HX4510W speaker", "the SC HX four five one zero W speaker"),
    ("a supercharged V8 with 700 hp", "a supercharged V eight with seven hundred horsepower"),
    ("the 3.0L V6 engine", "the three point zero liter V six engine"),
    ("£45 inc. P&P", "forty-five pounds including P and P"),
    ("Pydantic V2 is faster.", "Pydantic version two is faster."),
    ("When I'm in Leeds I'll call.", "When I'm in Leeds I'll call."),
    ("In Rome I learned to cook.", "In Rome I learned to cook."),
    ("Henry I was crowned in 1100.", "Henry I was crowned in eleven hundred."),
    ("a literal <b>0</b> in bold", "a literal <b>zero</b> in bold"),
    ("a 3:2 ratio", "a three to two ratio"),
    ("1/10 of the cost", "one tenth of the cost"),
    ("the GROUP-FFDHE3072 option", "the GROUP-FFDHE three thousand seventy-two option"),
    ("In 2031 it closes.", "In twenty thirty-one it closes."),
    ("The office is 2,400 sq. ft., with parking.", "The office is two thousand four hundred square feet, with parking."),
    ("Cozy 2BR/1BA condo near the lake.", "Cozy two bedrooms, one bath condo near the lake."),
    ("Whisk in ¼ tsp nutmeg and 2½ tbsp butter.",
     "Whisk in one quarter of a teaspoon nutmeg and two and a half tablespoons butter."),
    ("The farm makes 40 MW at peak.", "The farm makes forty megawatts at peak."),
    ("Rest for 6 wk after surgery.", "Rest for six weeks after surgery."),
    ("Rent is $1,450/mo.; utilities extra.", "Rent is one thousand four hundred fifty dollars a month; utilities extra."),
    ("Pluto is 5.9 × 10⁹ km away.", "Pluto is five point nine times ten to the ninth kilometers away."),
    ("NO₂ levels rose.", "N O two levels rose."),
    ("He shaved 2 min 40 s off his time.", "He shaved two minutes and forty seconds off his time."),
    ("Open from Tue to Sat, closed on Sun.", "Open from Tuesday to Saturday, closed on Sunday."),
    ("Arrive by 09:15 Thu please.", "Arrive by nine fifteen Thursday please."),
    ("Deliveries resume Wed 3rd.", "Deliveries resume Wednesday the third."),
    ("Prices fell in Oct., then rose.", "Prices fell in October, then rose."),
    ("Listen to ep. 31 today.", "Listen to episode thirty-one today."),
    ("Kids in Yr 9 sit the test.", "Kids in Year nine sit the test."),
    ("See the nurse in Rm 7.", "See the nurse in Room seven."),
    ("Tyres, qty 4, $89.50 ea., fitted.", "Tyres, quantity four, eighty-nine dollars and fifty cents each, fitted."),
    ("Avg wait: 12 min.", "Average wait: twelve minutes."),
    ("Apply the cream b.i.d. for a week.", "Apply the cream twice a day for a week."),
    ("Take 1 tab every 6 h x 5 days.", "Take one tab every six hours for five days."),
    ("See you b4 noon, m8!", "See you before noon, mate!"),
    ("c u tmrw", "see you tomorrow"),
    ("Rated 12+ by the board.", "Rated twelve plus by the board."),
    ("Join us for #PlasticFreeJuly with @CityCouncil.", "Join us for hashtag Plastic Free July with at City Council."),
    ("Export the data as .xlsx or .pdf.", "Export the data as dot XLSX or dot PDF."),
    ("Edit your .profile first.", "Edit your dot profile first."),
    ("The 2024/25 budget passed.", "The twenty twenty-four to twenty-five budget passed."),
    ("Quote ref. 2025/00817 please.", "Quote reference twenty twenty-five slash zero zero eight one seven please."),
    ("In case of fire, ring 999.", "In case of fire, ring nine nine nine."),
    # left alone
    ("worked at Sun Microsystems", "worked at Sun Microsystems"),
    ("I sat down with Jan. on Monday.", "I sat down with Jan. on Monday."),
    ("Print it on B4 paper.", "Print it on B four paper."),
    ("Use an M8 bolt.", "Use an M eight bolt."),
    ("the regex (\\w+) and (a+)", "the regex (\\w+) and (a+)"),
    ("read tstate->frame here", "read tstate->frame here"),
    ("Follow @BoboTiG and #iOS for news.", "Follow at BoboTiG and hashtag iOS for news."),
    ("a 1999/2003 gap", "a nineteen ninety-nine slash two thousand three gap"),
    ("She games on a GTX 1660 laptop.", "She games on a GTX sixteen sixty laptop."),
    ("Dates follow ISO 8601 here.", "Dates follow ISO eighty-six oh one here."),
    ("Expect 4-6\" of rain overnight.", "Expect four to six inches of rain overnight."),
    ("Closed Mon.; open on Tue.", "Closed Monday; open on Tuesday."),
    ("Install firmware v2.1c first.", "Install firmware version two point one c first."),
    ("Recovery takes 8 wk.", "Recovery takes eight weeks."),
    ("Pack three 2 kg weights.", "Pack three two kilogram weights."),
    ("NASA 2500 employees were told.", "NASA two thousand five hundred employees were told."),
])
def test_classes_found_on_the_eighth_list(written, spoken):
    assert normalize(written) == spoken
